package io.fanout.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Ingest: closed loops of POST /push (one per connection, --ingest-connections of them), then
 * closed loops of POST /push/batch; each measured for --ingest-seconds after a warm-up. No
 * subscribers: this is the HTTP + Kafka produce path alone.
 */
final class IngestPhase {
    private IngestPhase() {}

    static PhaseResult run(Ctx ctx) {
        Options o = ctx.o();
        int conns = o.integer("ingest-connections");
        int seconds = o.integer("ingest-seconds");
        int warmup = o.integer("ingest-warmup-seconds");
        int batch = o.integer("batch-size");
        int batchConns = o.integer("batch-connections");
        Publisher.Channels cs = new Publisher.Channels(ctx.prefix("ingest"), 10, false);

        Publisher single = ctx.publisher(conns);
        Map<String, Object> push = closedLoop(ctx, single, conns, warmup, seconds, d -> single.pushOne(cs, 0, d));
        Publisher batched = ctx.publisher(batchConns);
        Map<String, Object> batches =
                closedLoop(ctx, batched, batchConns, warmup, seconds, d -> batched.pushBatch(cs, batch, d));

        Map<String, Object> f = new LinkedHashMap<>();
        f.put("push", push);
        f.put("batch", batches);
        double pushRate = (double) push.get("requestsPerSecond");
        double batchEvents = (double) batches.get("eventsPerSecond");
        String line = String.format(
                "ingest: POST /push %s req/s at %d conns (%s, failed=%s) | cpu-s/M: ingest=%s kafka=%s gen=%s | %s"
                        + " || POST /push/batch of %d: %s events/s at %d conns (%s, failed=%s) | cpu-s/M events: ingest=%s"
                        + " kafka=%s gen=%s | %s",
                Fmt.si(pushRate),
                conns,
                push.get("ackLine"),
                push.get("eventsFailed"),
                push.get("ingestCpuPerM"),
                push.get("kafkaCpuPerM"),
                push.get("generatorCpuPerM"),
                push.get("usageLine"),
                batch,
                Fmt.si(batchEvents),
                batchConns,
                batches.get("ackLine"),
                batches.get("eventsFailed"),
                batches.get("ingestCpuPerM"),
                batches.get("kafkaCpuPerM"),
                batches.get("generatorCpuPerM"),
                batches.get("usageLine"));
        return new PhaseResult("ingest", line, f);
    }

    private static Map<String, Object> closedLoop(
            Ctx ctx, Publisher p, int loops, int warmup, int seconds, Consumer<Publisher.Done> step) {
        long t0 = System.nanoTime();
        long measureFrom = t0 + warmup * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        var running = p.closedLoops(loops, () -> System.nanoTime() < end, () -> false, step);
        while (System.nanoTime() < measureFrom) {
            WsClients.sleep(10);
        }
        ProcMonitor.Window w = ctx.monitor().begin();
        p.ackLatency.getIntervalHistogram();
        long req0 = p.okRequests.sum();
        long ev0 = p.ackedEvents.sum();
        long fail0 = p.failedEvents.sum();
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            WsClients.sleep(10);
        }
        long req1 = p.okRequests.sum();
        long ev1 = p.ackedEvents.sum();
        long fail1 = p.failedEvents.sum();
        double dur = (System.nanoTime() - start) / 1e9;
        ProcMonitor.Usage u = w.end();
        Histogram ack = p.ackLatency.getIntervalHistogram();
        try {
            running.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            ctx.notes().add("ingest: requests still open 30 s after the end: " + e);
        }
        double millions = (ev1 - ev0) / 1e6;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connections", loops);
        m.put("measuredSeconds", Fmt.r3(dur));
        m.put("requestsPerSecond", Fmt.r3((req1 - req0) / dur));
        m.put("eventsPerSecond", Fmt.r3((ev1 - ev0) / dur));
        m.put("eventsFailed", fail1 - fail0);
        m.put("publishFailures", p.failures());
        m.put("ackLatency", Lat.json(ack));
        m.put("ackLine", Lat.line("ack", ack));
        m.put("ingestCpuPerM", Fmt.f2(u.cpu("ingest") / millions));
        m.put("kafkaCpuPerM", Fmt.f2(u.cpu("kafka") / millions));
        m.put("generatorCpuPerM", Fmt.f2(u.cpu("generator") / millions));
        m.put("usageLine", u.line());
        m.put("usage", u.json());
        return m;
    }
}
