package io.fanout.bench;

import io.fanout.tools.net.RawHttp;
import io.fanout.tools.proc.Proc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory per idle WebSocket connection: fanout-service's RSS and heap with none of the
 * generator's subscribers, then with N idle ones on one channel; the difference over N. Heap is
 * read from /actuator/prometheus (jvm_memory_used_bytes, area="heap", summed over pools); when
 * jcmd is at hand and the pid is known, a GC is asked for first (GC.run), so the reading is live
 * data rather than wherever the collector happened to be.
 */
final class ConnectionsPhase {
    private ConnectionsPhase() {}

    static PhaseResult run(Ctx ctx) {
        Options o = ctx.o();
        int n = o.integer("conn-subscribers");
        int settle = o.integer("conn-settle-seconds");
        long pid = ctx.monitor().pidOf("fanout");
        Path jcmd = jcmd(o.str("conn-gc"), pid);
        Publisher metrics = new Publisher(ctx.loops(), ctx.fanoutHttpUrl(), 2, 100, "");

        WsClients.sleep(settle * 1000L);
        Reading before = read(metrics, pid, jcmd);

        ProcMonitor.Window w = ctx.monitor().begin();
        Publisher.Channels cs = new Publisher.Channels(ctx.prefix("idle"), 1, false);
        Tally tally = new Tally();
        List<Sub> subs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            subs.add(new Sub(0, cs.nameBytes[0], tally));
        }
        long t = System.nanoTime();
        int connected = ctx.ws()
                .connectAll(
                        subs,
                        i -> "channel=" + cs.names[0] + ctx.tokenQuery(),
                        o.integer("connect-concurrency"),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(240));
        double connectSeconds = (System.nanoTime() - t) / 1e9;

        WsClients.sleep(settle * 1000L);
        Reading after = read(metrics, pid, jcmd);

        // are they live? one probe, count who got it
        Publisher p = ctx.publisher(2);
        int live = 0;
        if (connected > 0) {
            p.probe(cs.names).block(Duration.ofSeconds(20));
            long deadline = System.nanoTime() + 15_000_000_000L;
            do {
                WsClients.sleep(100);
                live = 0;
                for (Sub s : subs) {
                    if (s.ready) {
                        live++;
                    }
                }
            } while (live < connected && System.nanoTime() < deadline);
        }
        int open = 0;
        for (Sub s : subs) {
            if (s.connected && !s.closed) {
                open++;
            }
        }
        ProcMonitor.Usage u = w.end();
        long tc = System.nanoTime();
        int notClosed = WsClients.closeAll(subs, Duration.ofSeconds(60));
        double closeSeconds = (System.nanoTime() - tc) / 1e9;
        Map<String, Integer> errors = new LinkedHashMap<>();
        for (Sub s : subs) {
            if (s.error != null) {
                errors.merge(s.error.length() > 120 ? s.error.substring(0, 120) : s.error, 1, Integer::sum);
            }
        }

        int per = Math.max(1, connected);
        double rssPer = before.rss > 0 && after.rss > 0 ? (after.rss - before.rss) / (double) per : -1;
        double heapPer = before.heap >= 0 && after.heap >= 0 ? (after.heap - before.heap) / (double) per : -1;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("subscribers", n);
        f.put("connected", connected);
        f.put("failed", n - connected);
        f.put("connectErrors", errors);
        int perIp = Math.max(1, o.integer("conn-per-source-ip"));
        f.put("sourceAddresses", (n + perIp - 1) / perIp);
        f.put("connectSeconds", Fmt.r3(connectSeconds));
        f.put("connectsPerSecond", Math.round(connected / connectSeconds));
        f.put("openAtEnd", open);
        f.put("liveAfterProbe", live);
        f.put("gcBeforeReading", jcmd != null);
        f.put("before", before.json());
        f.put("after", after.json());
        f.put("rssBytesPerConnection", Math.round(rssPer));
        f.put("heapBytesPerConnection", Math.round(heapPer));
        f.put("closeSeconds", Fmt.r3(closeSeconds));
        if (notClosed > 0) {
            f.put("notClosedAfter60s", notClosed);
        }
        f.put("usage", u.json());
        String line = String.format(
                "connections: %d/%d idle subscribers connected in %.1fs (%d live after a probe) | fanout RSS %s -> %s MB"
                        + " = %s KiB/conn, heap %s -> %s MB = %s KiB/conn%s | %s",
                connected,
                n,
                connectSeconds,
                live,
                Fmt.f0(before.rss / 1048576.0),
                Fmt.f0(after.rss / 1048576.0),
                Fmt.f1(rssPer / 1024),
                Fmt.f0(before.heap / 1048576.0),
                Fmt.f0(after.heap / 1048576.0),
                Fmt.f1(heapPer / 1024),
                jcmd != null ? " (after GC.run)" : " (no GC asked: heap is noisy)",
                u.line());
        return new PhaseResult("connections", line, f);
    }

    record Reading(long rss, long heap, long nonHeap) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rssBytes", rss);
            m.put("heapUsedBytes", heap);
            m.put("nonHeapUsedBytes", nonHeap);
            return m;
        }
    }

    private static Reading read(Publisher metrics, long pid, Path jcmd) {
        if (jcmd != null) {
            Jcmd.run(jcmd, pid, "GC.run"); // no GC if it fails: the reading is still taken
            WsClients.sleep(1000);
        }
        long rss = pid > 0 ? Proc.rssBytes(pid) : -1;
        RawHttp.Resp r = metrics.get("/actuator/prometheus").block(Duration.ofSeconds(15));
        long heap = -1;
        long nonHeap = -1;
        if (r != null && r.status() == 200) {
            heap = sum(new String(r.body(), StandardCharsets.UTF_8), "area=\"heap\"");
            nonHeap = sum(new String(r.body(), StandardCharsets.UTF_8), "area=\"nonheap\"");
        }
        return new Reading(rss, heap, nonHeap);
    }

    /** Sum of jvm_memory_used_bytes samples with the label, or -1. */
    static long sum(String prom, String label) {
        double sum = 0;
        boolean any = false;
        for (String line : prom.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains(label)) {
                sum += Double.parseDouble(
                        line.substring(line.lastIndexOf(' ') + 1).trim());
                any = true;
            }
        }
        return any ? (long) sum : -1;
    }

    private static Path jcmd(String mode, long pid) {
        if (mode.equals("off") || pid <= 0) {
            return null;
        }
        Path jcmd = Jcmd.binary();
        if (jcmd == null && mode.equals("on")) {
            throw new IllegalStateException(
                    "--conn-gc on, but there is no " + Path.of(System.getProperty("java.home"), "bin", "jcmd"));
        }
        return jcmd;
    }
}
