package io.fanout.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Latency at a fixed moderate rate: one POST /push per event at rate / (subscribers per channel)
 * publishes/s, round-robin over the channels. Each event carries its intended send time (the
 * schedule's, so a stalled publisher does not hide latency: no coordinated omission), and the
 * generator, which also receives, records deliver time minus that.
 *
 * <p>Two measured windows of --lat-seconds each, under the same schedule: A with nothing else
 * going on, then (when --lat-replays K > 0) B while K replay subscribers keep reading a channel of
 * --lat-replay-events events of history from its first offset, over and over ({@link ReplayLoad}).
 * An event belongs to the window its scheduled send time falls in; events sent in the 2 s between
 * the windows (while the replays connect) are counted for loss but not for latency.
 *
 * <p>The {@code sse-latency} phase is window A again with --lat-sse-subscribers SSE subscribers
 * following the same channels beside the WebSocket ones (no replays): the WebSocket p99 next to
 * the latency phase's says whether SSE subscribers move it; the SSE subscribers' own latency and
 * counts are reported too. The {@code ws-latency} phase is its control: as many more WebSocket
 * subscribers instead of the SSE ones, so that what any 10k more deliveries/s do to the p99 on
 * this machine (CPU shared by two cores) can be told from what SSE does.
 */
final class LatencyPhase {
    private LatencyPhase() {}

    private static final long GAP_NANOS = 2_000_000_000L;

    /** Who follows the latency phase's channels beside its WebSocket subscribers. */
    enum Beside {
        NOBODY("latency", "lat"),
        SSE("sse-latency", "sselat"),
        MORE_WEBSOCKETS("ws-latency", "wslat");

        final String phase;
        final String prefix;

        Beside(String phase, String prefix) {
            this.phase = phase;
            this.prefix = prefix;
        }
    }

    static PhaseResult run(Ctx ctx, Beside beside) {
        Options o = ctx.o();
        String name = beside.phase;
        int besideSubscribers = beside == Beside.NOBODY ? 0 : Math.max(0, o.integer("lat-sse-subscribers"));
        int s = o.integer("lat-subscribers");
        int k = o.integer("lat-channels");
        int rate = o.integer("lat-rate");
        int seconds = o.integer("lat-seconds");
        int warmup = o.integer("lat-warmup-seconds");
        int replays = beside == Beside.NOBODY ? Math.max(0, o.integer("lat-replays")) : 0;
        int historyEvents = o.integer("lat-replay-events");
        int maxInFlight = 256;

        SubscriberGroup g = new SubscriberGroup(ctx, ctx.prefix(beside.prefix), s, k);
        SubscriberGroup others = besideSubscribers > 0
                ? new SubscriberGroup(ctx, g.channels, besideSubscribers, beside == Beside.SSE)
                : null;
        Publisher p = ctx.publisher(64);

        // history for the replay subscribers, written before anything is measured
        Publisher.Channels history = null;
        long historyFrom = -1;
        long historyAcked = 0;
        double historyWriteSeconds = 0;
        if (replays > 0) {
            history = new Publisher.Channels(ctx.prefix("lat") + ".history", 1, true);
            Publisher hp = ctx.publisher(4);
            long tw = System.nanoTime();
            ReplayPhase.writeHistory(hp, history, historyEvents, 60);
            historyWriteSeconds = (System.nanoTime() - tw) / 1e9;
            historyAcked = hp.ackedEvents.sum();
            historyFrom = history.minOffset[0];
            if (historyAcked < historyEvents || historyFrom == Long.MAX_VALUE) {
                ctx.notes()
                        .add("latency: history for the replays could not be written (" + historyAcked + " of "
                                + historyEvents + " acked, " + hp.failures() + "); no replay window");
                replays = 0;
            }
        }

        g.connect();
        if (others != null) {
            others.connect();
            others.awaitReady(p, Duration.ofSeconds(20));
        }
        g.awaitReady(p, Duration.ofSeconds(20));
        double perChannel = g.readyPerChannel();
        double publishRate = rate / perChannel;
        long period = Math.max(1, (long) (1e9 / publishRate));

        AtomicInteger inFlight = new AtomicInteger();
        long t0 = System.nanoTime();
        long measureFrom = t0 + warmup * 1_000_000_000L;
        long endA = measureFrom + seconds * 1_000_000_000L;
        long startB = replays > 0 ? endA + GAP_NANOS : endA;
        long endB = replays > 0 ? startB + seconds * 1_000_000_000L : endA;
        g.tally.recordFrom = measureFrom;
        g.tally.recordUntil = endA;
        g.tally.recordFromB = startB;
        g.tally.recordUntilB = endB;
        if (others != null) {
            others.tally.recordFrom = measureFrom;
            others.tally.recordUntil = endA;
        }
        ProcMonitor.Window w = null;
        ProcMonitor.Usage uA = null;
        ProcMonitor.Usage uB = null;
        Histogram ackA = null;
        ReplayLoad load = null;
        long replayReadAtB = 0;
        long replayCyclesAtB = 0;
        long replayReadAtEnd = 0;
        long replayCyclesAtEnd = 0;
        int stage = 0; // 0 warm-up, 1 window A, 2 gap (replays starting), 3 window B
        long[] stageEnds = {measureFrom, endA, startB, endB};
        long i = 0;
        long sent = 0;
        long[] skipped = new long[4];
        while (true) {
            long now = System.nanoTime();
            if (stage == 0 && now >= measureFrom) {
                stage = 1;
                w = ctx.monitor().begin();
                p.ackLatency.getIntervalHistogram(); // drop the warm-up's
            }
            if (stage == 1 && now >= endA) {
                uA = w.end();
                ackA = p.ackLatency.getIntervalHistogram();
                if (replays == 0) {
                    break;
                }
                stage = 2;
                load = new ReplayLoad(ctx.ws(), history.names[0], historyFrom, historyAcked, replays, ctx.tokenQuery())
                        .start();
            }
            if (stage == 2 && now >= startB) {
                stage = 3;
                w = ctx.monitor().begin();
                p.ackLatency.getIntervalHistogram(); // drop the gap's
                replayReadAtB = load.eventsRead();
                replayCyclesAtB = load.cyclesCompleted();
            }
            long due = t0 + i * period;
            if (due >= endB) {
                break;
            }
            if (now < due) {
                // one park until the next send or the next window's edge: parked in 200 µs slices, this thread woke
                // ~5 times per publish and took 0.07-0.08 core more at 1,000 publishes/s (bench/RESULTS.md)
                LockSupport.parkNanos(Math.min(due, stageEnds[stage]) - now);
                continue;
            }
            i++;
            if (inFlight.get() >= maxInFlight) {
                skipped[stage]++; // the platform does not keep up; the schedule moves on
                continue;
            }
            inFlight.incrementAndGet();
            sent++;
            p.pushOne(g.channels, due, ok -> inFlight.decrementAndGet());
        }
        if (stage == 3) {
            uB = w.end();
            replayReadAtEnd = load.eventsRead();
            replayCyclesAtEnd = load.cyclesCompleted();
        } else if (uA == null) {
            uA = (w == null ? ctx.monitor().begin() : w).end();
            ackA = p.ackLatency.getIntervalHistogram();
        }
        long pubEnd = System.nanoTime();
        long deadline = pubEnd + 15_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            WsClients.sleep(10);
        }
        Histogram ackB = p.ackLatency.getIntervalHistogram();
        g.drain(System.nanoTime(), Duration.ofSeconds(3), Duration.ofSeconds(15));
        Map<String, Object> besideFigures = null;
        String besidePart = "";
        if (others != null) {
            others.drain(System.nanoTime(), Duration.ofSeconds(3), Duration.ofSeconds(15));
            Histogram othersLat = others.tally.latency.getIntervalHistogram();
            besideFigures = new LinkedHashMap<>(others.closeAndCount());
            besideFigures.put("latency", Lat.json(othersLat));
            String kind = beside == Beside.SSE ? "SSE" : "WebSocket";
            besidePart = String.format(
                    " | beside %d %s subs (%d live): theirs %s, lost=%s dup=%s ooo=%s",
                    besideSubscribers,
                    kind,
                    others.ready,
                    Lat.line("publish->deliver", othersLat),
                    besideFigures.get("lost"),
                    besideFigures.get("duplicated"),
                    besideFigures.get("outOfOrder"));
        }
        if (load != null) {
            load.stop();
        }
        Histogram lat = g.tally.latency.getIntervalHistogram();
        Histogram latB = g.tally.latencyB.getIntervalHistogram();
        Map<String, Object> counts = g.closeAndCount();
        double measuredDeliveryRate = lat.getTotalCount() / (double) seconds;

        Map<String, Object> f = new LinkedHashMap<>();
        f.put("channels", k);
        f.put("targetDeliveriesPerSecond", rate);
        f.put("publishesPerSecondTarget", Fmt.r3(publishRate));
        f.put("measuredSeconds", seconds);
        f.put("warmupSeconds", warmup);
        f.put("measuredDeliveriesPerSecond", Math.round(measuredDeliveryRate));
        f.put("eventsSent", sent);
        f.put("eventsSkippedTooManyInFlight", skipped[0] + skipped[1] + skipped[2] + skipped[3]);
        f.put("eventsSkippedInWindow", skipped[1]);
        f.put("eventsFailed", p.failedEvents.sum());
        f.put("publishFailures", p.failures());
        f.putAll(counts);
        f.put("latency", Lat.json(lat));
        f.put("ackLatency", Lat.json(ackA));
        f.put("usage", uA.json());
        f.put("platformCores", cores(uA));
        Map<String, Map<String, Object>> byThread = uA.coresByThreadGroup(o.str("directory-app-id"));
        f.put("platformCoresByThreadGroup", byThread);
        f.put("replays", replays);
        if (besideFigures != null) {
            f.put(beside == Beside.SSE ? "sseSubscribers" : "moreWebSocketSubscribers", besideSubscribers);
            f.put(beside == Beside.SSE ? "sse" : "moreWebSockets", besideFigures);
        }
        String replayPart = "";
        if (replays > 0 && uB != null) {
            double replayRate = (replayReadAtEnd - replayReadAtB) / (double) seconds;
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("replaySubscribers", replays);
            b.put("measuredSeconds", seconds);
            b.put("measuredDeliveriesPerSecond", Math.round(latB.getTotalCount() / (double) seconds));
            b.put("eventsSkippedInWindow", skipped[3]);
            b.put("latency", Lat.json(latB));
            b.put("ackLatency", Lat.json(ackB));
            b.put("replayEventsRead", replayReadAtEnd - replayReadAtB);
            b.put("replayEventsPerSecond", Math.round(replayRate));
            b.put("replayCyclesCompletedInWindow", replayCyclesAtEnd - replayCyclesAtB);
            b.put("historyEvents", historyAcked);
            b.put("historyWriteSeconds", Fmt.r3(historyWriteSeconds));
            b.put("replayLoad", load.json());
            b.put("usage", uB.json());
            f.put("withReplays", b);
            replayPart = String.format(
                    " | with %d replays (%s events/s read back, %d full reads of %d events): %s, skipped=%d",
                    replays,
                    Fmt.si(replayRate),
                    replayCyclesAtEnd - replayCyclesAtB,
                    historyAcked,
                    Lat.line("publish->deliver", latB),
                    skipped[3]);
        }

        String line = String.format(
                "%s: %d WebSocket subs x %d ch, %s publishes/s -> %s deliveries/s measured over %ds | %s, skipped=%d%s%s"
                        + " | %s | lost=%d dup=%d ooo=%d skipped=%d failed=%d | cores: %s (by thread: %s) | no replays: %s%s",
                name,
                s,
                k,
                Fmt.f0(publishRate),
                Fmt.si(measuredDeliveryRate),
                seconds,
                Lat.line("publish->deliver", lat),
                skipped[1],
                besidePart,
                replayPart,
                Lat.line("POST /push ack", ackA),
                counts.get("lost"),
                counts.get("duplicated"),
                counts.get("outOfOrder"),
                (long) f.get("eventsSkippedTooManyInFlight"),
                p.failedEvents.sum(),
                cores(uA),
                ThreadCpu.line(byThread),
                uA.line(),
                uB == null ? "" : " | with replays: " + uB.line());
        return new PhaseResult(name, line, f);
    }

    /** Cores each platform process used over the window (CPU seconds / wall seconds), e.g. ingest=0.61. */
    static Map<String, Object> cores(ProcMonitor.Usage u) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String process : new String[] {"ingest", "kafka", "fanout"}) {
            double cpu = u.cpu(process);
            if (cpu >= 0) {
                m.put(process, Fmt.r3(cpu / u.wallSeconds()));
            }
        }
        m.put("platform", Fmt.r3(u.platformCpu() / u.wallSeconds()));
        return m;
    }
}
