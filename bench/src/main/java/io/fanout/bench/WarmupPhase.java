package io.fanout.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Warm-up, not a measurement: --warmup-seconds of /push and /push/batch publishing to a few subscribers, so that
 * the JIT compilers of both services (and of the generator) are done before anything is measured. On 2 cores a
 * freshly started ingest-service spends minutes compiling: measured cold, /push ran at a seventh of its warm rate.
 * The subscribers are WebSocket and SSE alike, so every delivery path a later phase measures is compiled: with
 * WebSocket ones only, the sse phase measured SSE's first seconds in the interpreter (0.39× WebSocket's rate at 2.0×
 * its CPU per delivery, against 0.85× at 0.95× once SSE had run before, on the same platform). Two replay
 * subscribers read a history of their own meanwhile, so the log readers' path is compiled too: without them the
 * latency phase's replay window ran on a fanout whose C2 compiler took a quarter of its CPU samples.
 */
final class WarmupPhase {
    private static final int REPLAY_HISTORY = 20_000;

    private WarmupPhase() {}

    static PhaseResult run(Ctx ctx) {
        Options o = ctx.o();
        int seconds = o.integer("warmup-seconds");
        int k = 10;
        SubscriberGroup g = new SubscriberGroup(ctx, ctx.prefix("warm"), 100, k);
        SubscriberGroup sse = new SubscriberGroup(ctx, g.channels, 100, true);
        Publisher p = ctx.publisher(20);
        g.connect();
        sse.connect();
        g.awaitReady(p, Duration.ofSeconds(20));
        sse.awaitReady(p, Duration.ofSeconds(20));
        double perChannel = g.readyPerChannel();
        ReplayLoad replays = startReplays(ctx);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        BooleanSupplier keepGoing = () -> System.nanoTime() < end;
        BooleanSupplier lagging = () -> (p.sentEvents.sum() - g.tally.deliveries.sum() / perChannel) / k > 200;
        ProcMonitor.Window w = ctx.monitor().begin();
        CompletableFuture<Void> publishing = CompletableFuture.allOf(
                p.closedLoops(16, keepGoing, lagging, d -> p.pushOne(g.channels, 0, d)),
                p.closedLoops(4, keepGoing, lagging, d -> p.pushBatch(g.channels, 100, d)));
        try {
            publishing.get(seconds + 60L, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            ctx.notes().add("warmup: publishers did not finish: " + e);
        }
        ProcMonitor.Usage u = w.end();
        long replayed = 0;
        if (replays != null) {
            replayed = replays.eventsRead();
            replays.stop();
        }
        g.drain(System.nanoTime(), Duration.ofSeconds(2), Duration.ofSeconds(10));
        sse.drain(System.nanoTime(), Duration.ofSeconds(2), Duration.ofSeconds(10));
        Map<String, Object> counts = g.closeAndCount();
        Map<String, Object> sseCounts = sse.closeAndCount();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("seconds", seconds);
        f.put("requests", p.okRequests.sum());
        f.put("events", p.ackedEvents.sum());
        f.put("deliveries", g.tally.deliveries.sum());
        f.put("sseDeliveries", sse.tally.deliveries.sum());
        f.put("replayEventsRead", replayed);
        f.put("counts", counts);
        f.put("sseCounts", sseCounts);
        f.put("usage", u.json());
        String line = String.format(
                "warmup: %ds, %d requests, %d events acked, %d WebSocket + %d SSE deliveries, %d events replayed"
                        + " (not measured) | %s",
                seconds,
                p.okRequests.sum(),
                p.ackedEvents.sum(),
                g.tally.deliveries.sum(),
                sse.tally.deliveries.sum(),
                replayed,
                u.line());
        return new PhaseResult("warmup", line, f);
    }

    /** Two replay subscribers reading a history of {@link #REPLAY_HISTORY} events over and over; null if unwritten. */
    private static ReplayLoad startReplays(Ctx ctx) {
        Publisher.Channels history = new Publisher.Channels(ctx.prefix("warm") + ".history", 1, true);
        Publisher hp = ctx.publisher(4);
        try {
            ReplayPhase.writeHistory(hp, history, REPLAY_HISTORY, 60);
        } catch (RuntimeException e) {
            ctx.notes().add("warmup: replay history not written (" + e + "); no replays in the warm-up");
            return null;
        }
        if (hp.ackedEvents.sum() < REPLAY_HISTORY || history.minOffset[0] == Long.MAX_VALUE) {
            ctx.notes().add("warmup: replay history not written (" + hp.failures() + "); no replays in the warm-up");
            return null;
        }
        return new ReplayLoad(ctx.ws(), history.names[0], history.minOffset[0], REPLAY_HISTORY, 2, ctx.tokenQuery())
                .start();
    }
}
