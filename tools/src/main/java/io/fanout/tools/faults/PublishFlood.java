package io.fanout.tools.faults;

import static io.fanout.tools.faults.Say.fmt;

import io.fanout.tools.net.RawHttp;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code connections} publishers, each sending its next {@code POST /push} as soon as the previous one was answered,
 * for a number of seconds. Counts the answers; callbacks run on the event loops, counters are atomic.
 */
final class PublishFlood {

    /** What the flood got back. */
    record Outcome(
            int requests,
            double seconds,
            double ackedMegabytesPerSecond,
            Map<Integer, Integer> statuses,
            int fiveXxNot503,
            int withoutRetryAfter,
            int noAnswer,
            long maxMillis,
            boolean allAnswered) {

        boolean passed() {
            return allAnswered && fiveXxNot503 == 0 && withoutRetryAfter == 0 && noAnswer == 0;
        }

        String figures() {
            return fmt(
                    "requests=%d per_s=%.0f acked_MB_per_s=%.1f statuses=%s 5xx_not_503=%d "
                            + "429_503_without_retry_after=%d no_answer=%d max_request_ms=%d",
                    requests,
                    requests / seconds,
                    ackedMegabytesPerSecond,
                    statuses.toString().replace(" ", ""),
                    fiveXxNot503,
                    withoutRetryAfter,
                    noAnswer,
                    maxMillis);
        }
    }

    private final RawHttp http;
    private final int connections;
    private final int bodyBytes;
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final AtomicInteger withoutRetryAfter = new AtomicInteger();
    private final AtomicInteger fiveXxOther = new AtomicInteger();
    private final AtomicInteger errors = new AtomicInteger();
    private final AtomicLong maxMillis = new AtomicLong();
    private final AtomicLong counter = new AtomicLong();
    private final String pad;

    PublishFlood(EventLoopGroup loops, Ports ports, int connections, int bodyBytes) {
        this.http = new RawHttp(loops, ports.ingestUrl(), connections, Duration.ofSeconds(30));
        this.connections = connections;
        this.bodyBytes = bodyBytes;
        this.pad = "x".repeat(Math.max(0, bodyBytes - 80));
    }

    Outcome run(int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch loops = new CountDownLatch(connections);
        long start = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            next(end, loops);
        }
        boolean allAnswered = loops.await(seconds + 60L, TimeUnit.SECONDS);
        if (!allAnswered) {
            Say.say("some publishers still had no answer 60s after the flood");
        }
        double took = (System.nanoTime() - start) / 1e9;
        Map<Integer, Integer> counts = new TreeMap<>();
        statuses.forEach((k, v) -> counts.put(k, v.get()));
        int answered = counts.values().stream().mapToInt(Integer::intValue).sum();
        int ok = counts.entrySet().stream()
                .filter(e -> e.getKey() / 100 == 2)
                .mapToInt(Map.Entry::getValue)
                .sum();
        return new Outcome(
                answered + errors.get(),
                took,
                ok * (double) bodyBytes / took / 1e6,
                counts,
                fiveXxOther.get(),
                withoutRetryAfter.get(),
                errors.get(),
                maxMillis.get(),
                allAnswered);
    }

    /** One publisher's next request, sent when the previous one was answered (on that answer's event loop). */
    private void next(long end, CountDownLatch loops) {
        if (System.nanoTime() >= end) {
            loops.countDown();
            return;
        }
        long sent = System.nanoTime();
        long n = counter.incrementAndGet();
        http.post("/push", PushBody.of("faults-flood-" + (n % 64), n, pad), response -> {
            maxMillis.accumulateAndGet((System.nanoTime() - sent) / 1_000_000, Math::max);
            int s = response.status();
            if (s == 0) {
                errors.incrementAndGet();
            } else {
                statuses.computeIfAbsent(s, k -> new AtomicInteger()).incrementAndGet();
                if ((s == 429 || s == 503) && response.retryAfter() == null) {
                    withoutRetryAfter.incrementAndGet();
                }
                if (s >= 500 && s != 503) {
                    fiveXxOther.incrementAndGet();
                }
            }
            next(end, loops);
        });
    }
}
