package io.fanout.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * Fan-out at saturation: S subscribers over K channels; batch and single publishers run flat out,
 * held back only while more than --sat-max-lag events per channel are published but not yet
 * delivered (so the rate found is what the platform sustains, not how fast slow-subscriber
 * buffers overflow). The {@code sse} phase is the same with SSE subscribers ({@code /sse}): its
 * deliveries/s and CPU per delivery stand next to the WebSocket ones.
 */
final class SaturationPhase {
    private SaturationPhase() {}

    static PhaseResult run(Ctx ctx, boolean sse) {
        Options o = ctx.o();
        String name = sse ? "sse" : "saturation";
        int s = o.integer(sse ? "sse-subscribers" : "sat-subscribers");
        int k = o.integer(sse ? "sse-channels" : "sat-channels");
        int seconds = o.integer("sat-seconds");
        int batch = o.integer("sat-batch");
        int batchPubs = o.integer("sat-batch-publishers");
        int pushPubs = o.integer("sat-push-publishers");
        int maxLag = o.integer("sat-max-lag");
        int warmup = o.integer("sat-warmup-seconds");

        SubscriberGroup g =
                new SubscriberGroup(ctx, new Publisher.Channels(ctx.prefix(sse ? "sse" : "sat"), k, true), s, sse);
        Publisher p = ctx.publisher(batchPubs + pushPubs + 1);
        g.connect();
        g.awaitReady(p, Duration.ofSeconds(20));
        double perChannel = g.readyPerChannel();

        long start = System.nanoTime();
        long end = start + (warmup + seconds) * 1_000_000_000L;
        long[] pauses = new long[1];
        // lag in events per channel: published - (delivered / subscribers per channel), over K
        BooleanSupplier lagging = () -> {
            boolean lag = maxLag > 0 && (p.sentEvents.sum() - g.tally.deliveries.sum() / perChannel) / k > maxLag;
            if (lag) {
                pauses[0]++;
            }
            return lag;
        };
        BooleanSupplier keepGoing = () -> System.nanoTime() < end;
        CompletableFuture<Void> batches =
                p.closedLoops(batchPubs, keepGoing, lagging, d -> p.pushBatch(g.channels, batch, d));
        CompletableFuture<Void> singles = p.closedLoops(pushPubs, keepGoing, lagging, d -> p.pushOne(g.channels, 0, d));
        CompletableFuture<Void> publishing = CompletableFuture.allOf(batches, singles);

        // warm-up: publishing, not measured (JIT of platform and generator)
        while (!publishing.isDone() && System.nanoTime() < start + warmup * 1_000_000_000L) {
            WsClients.sleep(20);
        }
        ProcMonitor.Window w = ctx.monitor().begin();
        long t0 = System.nanoTime();
        long base = g.tally.deliveries.sum();
        long acked0 = p.ackedEvents.sum();
        g.tally.recordFrom = t0;
        g.tally.latency.getIntervalHistogram();
        p.ackLatency.getIntervalHistogram();

        // watch progress once a second
        List<Long> perSecond = new ArrayList<>();
        long lastCount = base;
        long prev = base;
        long lastProgress = t0;
        long nextTick = t0 + 1_000_000_000L;
        while (!publishing.isDone() && System.nanoTime() < end + 30_000_000_000L) {
            WsClients.sleep(50);
            long c = g.tally.deliveries.sum();
            if (System.nanoTime() >= nextTick) {
                perSecond.add(c - lastCount);
                lastCount = c;
                nextTick += 1_000_000_000L;
            }
            if (c != prev) {
                prev = c;
                lastProgress = System.nanoTime();
            }
        }
        long pubEnd = System.nanoTime();
        lastProgress = g.drain(lastProgress, Duration.ofSeconds(3), Duration.ofSeconds(30));
        ProcMonitor.Usage u = w.end();
        long delivered = g.tally.deliveries.sum() - base;
        Histogram lat = g.tally.latency.getIntervalHistogram();
        Histogram ack = p.ackLatency.getIntervalHistogram();
        Map<String, Object> counts = g.closeAndCount();

        double activeSeconds = Math.max(0.001, (lastProgress - t0) / 1e9);
        double rate = delivered / activeSeconds;
        double pubSeconds = (pubEnd - t0) / 1e9;
        double publishRate = (p.ackedEvents.sum() - acked0) / pubSeconds;
        double m = delivered / 1e6;

        Map<String, Object> f = new LinkedHashMap<>();
        f.put("transport", sse ? "sse" : "websocket");
        f.put("channels", k);
        f.putAll(counts);
        f.put("warmupSeconds", warmup);
        f.put("measuredSeconds", seconds);
        f.put("deliveriesMeasured", delivered);
        f.put("deliveriesPerSecond", Math.round(rate));
        f.put("deliveriesPerSecondEachSecond", perSecond);
        f.put("publishSeconds", Fmt.r3(pubSeconds));
        f.put("eventsSent", p.sentEvents.sum());
        f.put("eventsAcked", p.ackedEvents.sum());
        f.put("eventsFailed", p.failedEvents.sum());
        f.put("publishFailures", p.failures());
        f.put("publishesPerSecond", Math.round(publishRate));
        f.put("publisherPauses", pauses[0]);
        f.put("latency", Lat.json(lat));
        f.put("ackLatency", Lat.json(ack));
        f.put(
                "cpuSecondsPerMillionDeliveries",
                Map.of(
                        "fanout", Fmt.r3(u.cpu("fanout") / m),
                        "platform", Fmt.r3(u.platformCpu() / m),
                        "generator", Fmt.r3(u.cpu("generator") / m)));
        f.put("usage", u.json());

        String line = String.format(
                "%s: %d %s subs x %d ch (%d live) | %s deliveries/s, %s publishes/s, lost=%d dup=%d ooo=%d"
                        + " closed-by-server=%d failed-publishes=%d | %s | cpu-s/M deliveries: fanout=%s platform=%s gen=%s | %s",
                name,
                s,
                sse ? "SSE" : "WebSocket",
                k,
                g.ready,
                Fmt.si(rate),
                Fmt.si(publishRate),
                counts.get("lost"),
                counts.get("duplicated"),
                counts.get("outOfOrder"),
                counts.get("closedByServer"),
                p.failedEvents.sum(),
                Lat.line("latency", lat),
                Fmt.f2(u.cpu("fanout") / m),
                Fmt.f2(u.platformCpu() / m),
                Fmt.f2(u.cpu("generator") / m),
                u.line());
        return new PhaseResult(name, line, f);
    }
}
