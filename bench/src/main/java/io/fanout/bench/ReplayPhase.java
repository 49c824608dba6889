package io.fanout.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;

/**
 * Replay: writes N events to a fresh channel (POST /push/batch), then reads them back with one
 * subscriber at {@code from=<first acked offset>}. If that subscriber gets no history, the server
 * does not support the cursor yet, and the phase says so instead of failing.
 */
final class ReplayPhase {
    private ReplayPhase() {}

    /** Writes n events to the (single) channel of cs with POST /push/batch of 1000, 4 in flight. */
    static void writeHistory(Publisher p, Publisher.Channels cs, int n, int timeoutSeconds) {
        int batch = 1000;
        int batches = (n + batch - 1) / batch;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            sizes.add(Math.min(batch, n - i * batch));
        }
        Flux.fromIterable(sizes)
                .flatMap(size -> p.pushBatch(cs, size), 4)
                .then()
                .block(Duration.ofSeconds(timeoutSeconds));
    }

    static PhaseResult run(Ctx ctx) {
        Options o = ctx.o();
        int n = o.integer("replay-events");
        int timeout = o.integer("replay-timeout-seconds");
        Publisher.Channels cs = new Publisher.Channels(ctx.prefix("replay"), 1, true);
        Publisher p = ctx.publisher(4);

        // history
        long tw = System.nanoTime();
        writeHistory(p, cs, n, Math.max(60, timeout));
        double writeSeconds = (System.nanoTime() - tw) / 1e9;
        long acked = p.ackedEvents.sum();
        long from = cs.minOffset[0];
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("historyEvents", n);
        f.put("historyAcked", acked);
        f.put("historyWriteSeconds", Fmt.r3(writeSeconds));
        f.put("historyFailures", p.failures());
        if (acked == 0 || from == Long.MAX_VALUE) {
            f.put("supported", "unknown: no history could be written");
            return new PhaseResult("replay", "replay: no history could be written (" + p.failures() + ")", f);
        }
        f.put("fromOffset", from);

        Tally tally = new Tally();
        Sub sub = new Sub(0, cs.nameBytes[0], tally);
        ProcMonitor.Window w = ctx.monitor().begin();
        long t0 = System.nanoTime();
        Boolean up = ctx.ws()
                .connect(sub, "channel=" + cs.names[0] + "&from=" + from + ctx.tokenQuery(), Duration.ofSeconds(20))
                .block(Duration.ofSeconds(30));
        long deadline = t0 + timeout * 1_000_000_000L;
        long firstWait = System.nanoTime() + 10_000_000_000L;
        long last = -1;
        long lastChange = System.nanoTime();
        while (Boolean.TRUE.equals(up) && System.nanoTime() < deadline) {
            long c = tally.deliveries.sum();
            if (c != last) {
                last = c;
                lastChange = System.nanoTime();
            }
            if (c >= acked || sub.closed) {
                break;
            }
            if (c == 0 && System.nanoTime() > firstWait) {
                break;
            }
            if (c > 0 && System.nanoTime() - lastChange > 5_000_000_000L) {
                break;
            }
            WsClients.sleep(10);
        }
        ProcMonitor.Usage u = w.end();
        boolean closedByServer = sub.closed;
        WsClients.closeAll(List.of(sub), Duration.ofSeconds(10));
        long got = sub.seen.cardinality();
        f.put("usage", u.json());
        if (got == 0) {
            String why = !Boolean.TRUE.equals(up)
                    ? "handshake refused/failed (" + sub.error + ")"
                    : closedByServer
                            ? "closed with " + sub.closeCode + " " + sub.closeReason
                            : "no history within 10 s";
            f.put("supported", false);
            f.put("why", why);
            return new PhaseResult(
                    "replay",
                    "replay: not supported by server (" + why + "; " + acked + " events written at from=" + from + ")",
                    f);
        }
        double firstMs = (sub.firstFrameNanos - t0) / 1e6;
        double secs = Math.max(1e-3, (sub.lastFrameNanos - t0) / 1e9);
        double rate = got / secs;
        long lost;
        synchronized (cs.acked[0]) {
            lost = cs.acked[0].andNotCount(sub.seen);
        }
        f.put("supported", true);
        f.put("eventsRead", got);
        f.put("lost", lost);
        f.put("duplicated", sub.dups);
        f.put("outOfOrder", sub.outOfOrder);
        f.put("otherFrames", sub.others);
        f.put("firstEventMs", Fmt.r3(firstMs));
        f.put("readSeconds", Fmt.r3(secs));
        f.put("eventsPerSecond", Math.round(rate));
        f.put("closedByServer", closedByServer ? sub.closeCode + " " + sub.closeReason : "no");
        String line = String.format(
                "replay: %s events/s (%d of %d events from offset %d in %.2fs, first after %.0f ms) lost=%d dup=%d ooo=%d%s | %s",
                Fmt.si(rate),
                got,
                acked,
                from,
                secs,
                firstMs,
                lost,
                sub.dups,
                sub.outOfOrder,
                closedByServer ? " closed-by-server=" + sub.closeCode : "",
                u.line());
        return new PhaseResult("replay", line, f);
    }
}
