package io.fanout.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.netty.DisposableServer;

/**
 * First contact: POST /push in --ingest-connections closed loops from the first second, with no
 * warm-up, for --first-contact-seconds: the /push rate in the first 10 s and over the whole window
 * (60 s by default), as a freshly started ingest-service serves it (a deploy, a fail-over). It only
 * means that when it runs first, right after the services started: the line says how long the
 * ingest process had been up.
 *
 * <p>The generator is a fresh JVM too, so before that it publishes for --first-contact-generator-warmup seconds to
 * an in-process sink ({@link MockPlatform#pushSink()}, nothing reaches the platform): otherwise its own JIT
 * warm-up would be counted against the platform's.
 */
final class FirstContactPhase {
    private FirstContactPhase() {}

    static PhaseResult run(Ctx ctx) {
        Options o = ctx.o();
        int conns = o.integer("ingest-connections");
        int seconds = Math.max(10, o.integer("first-contact-seconds"));
        Publisher.Channels cs = new Publisher.Channels(ctx.prefix("first"), 10, false);
        int generatorWarmup = o.integer("first-contact-generator-warmup");
        double generatorWarmupRate = warmGenerator(ctx, conns, cs, generatorWarmup);
        Publisher p = ctx.publisher(conns);
        double ingestUptime = uptimeSeconds(ctx.monitor().pidOf("ingest"));

        ProcMonitor.Window w = ctx.monitor().begin();
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        var running = p.closedLoops(conns, () -> System.nanoTime() < end, () -> false, d -> p.pushOne(cs, 0, d));
        List<Long> perSecond = new ArrayList<>();
        long last = 0;
        long next = t0 + 1_000_000_000L;
        ProcMonitor.Usage first10 = null;
        while (System.nanoTime() < end) {
            WsClients.sleep(10);
            if (System.nanoTime() >= next) {
                long now = p.okRequests.sum();
                perSecond.add(now - last);
                last = now;
                next += 1_000_000_000L;
                if (perSecond.size() == 10) {
                    first10 = w.end();
                }
            }
        }
        ProcMonitor.Usage all = w.end();
        try {
            running.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            ctx.notes().add("first-contact: requests still open 30 s after the end: " + e);
        }
        double rate10 = sum(perSecond, 10) / 10.0;
        double rateAll = sum(perSecond, perSecond.size()) / (double) Math.max(1, perSecond.size());
        double lastTen = (sum(perSecond, perSecond.size()) - sum(perSecond, Math.max(0, perSecond.size() - 10)))
                / (double) Math.min(10, Math.max(1, perSecond.size()));

        Map<String, Object> f = new LinkedHashMap<>();
        f.put("connections", conns);
        f.put("seconds", seconds);
        f.put("ingestUptimeSecondsAtStart", Fmt.r3(ingestUptime));
        f.put("generatorWarmupSeconds", generatorWarmup);
        f.put("generatorWarmupPushPerSecond", Fmt.r3(generatorWarmupRate));
        f.put("pushPerSecondFirst10s", Fmt.r3(rate10));
        f.put("pushPerSecondWhole", Fmt.r3(rateAll));
        f.put("pushPerSecondLast10s", Fmt.r3(lastTen));
        f.put("pushPerSecondEachSecond", perSecond);
        f.put("eventsFailed", p.failedEvents.sum());
        f.put("publishFailures", p.failures());
        f.put("usageFirst10s", first10 == null ? null : first10.json());
        f.put("usage", all.json());
        String line = String.format(
                "first-contact: POST /push at %d conns from the first second (ingest up %.0f s before; the generator"
                        + " warmed %d s on an in-process sink at %s req/s): %s req/s in the first 10 s, %s req/s over"
                        + " %d s (last 10 s: %s req/s), failed=%d | %s",
                conns,
                ingestUptime,
                generatorWarmup,
                Fmt.si(generatorWarmupRate),
                Fmt.si(rate10),
                Fmt.si(rateAll),
                perSecond.size(),
                Fmt.si(lastTen),
                p.failedEvents.sum(),
                all.line());
        return new PhaseResult("first-contact", line, f);
    }

    /**
     * Publishes in {@code conns} closed loops to an in-process sink for {@code seconds}, so that the generator's
     * publishing code is compiled before it meets the platform; returns the rate it reached (requests/s).
     */
    private static double warmGenerator(Ctx ctx, int conns, Publisher.Channels cs, int seconds) {
        if (seconds <= 0) {
            return 0;
        }
        DisposableServer sink = MockPlatform.pushSink();
        try {
            Publisher p = new Publisher(
                    ctx.loops(),
                    "http://127.0.0.1:" + sink.port(),
                    conns,
                    ctx.o().integer("message-bytes"),
                    ctx.o().str("token"));
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            p.closedLoops(conns, () -> System.nanoTime() < end, () -> false, d -> p.pushOne(cs, 0, d))
                    .get(seconds + 30L, java.util.concurrent.TimeUnit.SECONDS);
            return p.okRequests.sum() / (double) seconds;
        } catch (Exception e) {
            ctx.notes().add("first-contact: the generator's warm-up stopped early: " + e);
            return 0;
        } finally {
            sink.disposeNow(java.time.Duration.ofSeconds(5));
        }
    }

    private static long sum(List<Long> values, int n) {
        long s = 0;
        for (int i = 0; i < Math.min(n, values.size()); i++) {
            s += values.get(i);
        }
        return s;
    }

    /** Seconds since {@code pid} started (from /proc), or -1. */
    static double uptimeSeconds(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(fields[19]); // field 22 of stat, counted from after the name
            double machineUp =
                    Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            return machineUp - startTicks / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
