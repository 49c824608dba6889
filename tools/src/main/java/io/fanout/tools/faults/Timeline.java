package io.fanout.tools.faults;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** On stderr: per 5 s of sending time, how the publishes sent then ended. */
final class Timeline {

    private Timeline() {}

    static void print(List<PublishResult> all, long start, long stopAt, long restartAt) {
        TreeMap<Long, int[]> buckets = new TreeMap<>(); // ok, 503, 429, no answer, other, max ms
        Map<String, Integer> errors = new TreeMap<>();
        for (PublishResult r : all) {
            int[] b = buckets.computeIfAbsent((r.sent - start) / 5_000_000_000L, k -> new int[6]);
            b[r.ok() ? 0 : r.status == 503 ? 1 : r.status == 429 ? 2 : r.status == 0 ? 3 : 4]++;
            b[5] = (int) Math.max(b[5], r.millis());
            if (r.error != null) {
                errors.merge(r.error.length() > 120 ? r.error.substring(0, 120) : r.error, 1, Integer::sum);
            }
        }
        Say.say(
                "sent at (s from start; fault at %.0f, restart at %.0f): ok / 503 / 429 / no answer (status 0) / other / max ms",
                (stopAt - start) / 1e9, (restartAt - start) / 1e9);
        buckets.forEach((k, b) ->
                Say.say("  %4d-%-4d %6d %6d %6d %6d %6d %7d", k * 5, k * 5 + 5, b[0], b[1], b[2], b[3], b[4], b[5]));
        errors.forEach((e, c) -> Say.say("  no answer x%d: %s", c, e));
    }
}
