package io.fanout.tools.faults;

import io.fanout.tools.net.RawHttp;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Publishes numbered messages ({@code n} = 1, 2, ...) to one channel at a steady rate, each once (no retries), and
 * keeps every {@link PublishResult}. Probes ({@code n <= 0}, see {@link Deliveries#sync}) are sent but not kept.
 * A timer thread sends; answers arrive on the event loops.
 */
final class SteadyPublisher {

    private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+)");

    private final RawHttp http;
    private final String channel;
    private final int rate;
    private final int maxInFlight;
    private final ConcurrentLinkedQueue<PublishResult> results = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private long next = 1; // timer thread only

    SteadyPublisher(EventLoopGroup loops, Ports ports, String channel, int rate) {
        this.channel = channel;
        this.rate = rate;
        this.maxInFlight = rate * 8; // 8 s worth: more than the 6 s a publish may take while Kafka is down
        this.http = new RawHttp(loops, ports.ingestUrl(), maxInFlight, Duration.ofSeconds(30));
    }

    CompletableFuture<PublishResult> publish(long n) {
        PublishResult r = new PublishResult(n, System.nanoTime());
        if (n > 0) {
            results.add(r);
        }
        inFlight.incrementAndGet();
        return http.post("/push", PushBody.of(channel, n, null)).thenApply(response -> {
            r.done = System.nanoTime();
            r.status = response.status();
            r.retryAfter = response.retryAfter() != null;
            r.error = response.error();
            if (response.ok()) {
                Matcher m = OFFSET.matcher(new String(response.body(), StandardCharsets.UTF_8));
                if (m.find()) {
                    r.offset = Long.parseLong(m.group(1));
                }
            }
            inFlight.decrementAndGet();
            return r;
        });
    }

    void start() {
        timer.scheduleAtFixedRate(
                () -> {
                    if (inFlight.get() >= maxInFlight) {
                        skipped.incrementAndGet();
                    } else {
                        publish(next++);
                    }
                },
                0,
                1_000_000 / rate,
                TimeUnit.MICROSECONDS);
    }

    /** Stops sending and waits (bounded) for the answers of what was sent. */
    void stop() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        Clock.awaitUntil(() -> inFlight.get() == 0, System.nanoTime() + TimeUnit.SECONDS.toNanos(40), 50);
    }

    /** What was published so far (numbered messages only), in sending order. */
    List<PublishResult> results() {
        return List.copyOf(results);
    }

    /** Ticks skipped because {@code maxInFlight} requests were still unanswered. */
    int skipped() {
        return skipped.get();
    }

    /** When the first publish sent at or after {@code since} was acked (nanoTime), or 0. */
    long firstOkAfter(long since) {
        long best = 0;
        for (PublishResult r : results) {
            if (r.sent >= since && r.ok() && (best == 0 || r.done < best)) {
                best = r.done;
            }
        }
        return best;
    }
}
