package io.fanout.bench;

import io.fanout.tools.proc.Proc;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import reactor.netty.resources.LoopResources;

/**
 * The load generator's entry point: runs the chosen phases against a running platform, prints one
 * summary line per phase and a final one, and writes a JSON result file.
 */
public final class Bench {

    private static final List<String> ALL = List.of(
            "first-contact",
            "warmup",
            "saturation",
            "sse",
            "latency",
            "sse-latency",
            "ws-latency",
            "ingest",
            "connections",
            "replay");
    private static final PrintStream OUT = System.out;

    private Bench() {}

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            System.exit(run(o));
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
        }
    }

    private static int run(Options o) throws IllegalArgumentException {
        List<String> phases = phases(o.str("phases"));
        String ingestUrl = o.str("ingest-url");
        String fanoutUrl = o.str("fanout-url");
        URI ingest = uri("ingest-url", ingestUrl, "http");
        URI fanout = uri("fanout-url", fanoutUrl, "ws");
        if (!o.bool("allow-remote")) {
            loopbackOnly("ingest-url", ingest);
            loopbackOnly("fanout-url", fanout);
        }
        String fanoutHttp = (fanout.getScheme().equals("wss") ? "https" : "http") + "://" + fanout.getRawAuthority();
        int maxSeconds = o.integer("max-seconds");
        watchdog(maxSeconds);

        List<String> notes = new ArrayList<>();
        LoopResources loops = LoopResources.create("bench", Math.max(1, o.integer("threads")), true);
        String runId = Long.toString(System.currentTimeMillis() / 1000 % 46_656_000L, 36);

        // is it up?
        Publisher probe = new Publisher(loops, ingestUrl, 2, 100, o.str("token"));
        Publisher probeFanout = new Publisher(loops, fanoutHttp, 2, 100, "");
        int ingestHealth =
                probe.get("/actuator/health").block(Duration.ofSeconds(15)).status();
        int fanoutHealth = probeFanout
                .get("/actuator/health")
                .block(Duration.ofSeconds(15))
                .status();
        if (ingestHealth == 0 || fanoutHealth == 0) {
            System.err.println("bench: the platform is not answering (ingest " + ingestUrl + ": "
                    + (ingestHealth == 0 ? "no answer" : ingestHealth) + ", fanout " + fanoutHttp + ": "
                    + (fanoutHealth == 0 ? "no answer" : fanoutHealth) + "). Start it with infra/run-local, or give "
                    + "--ingest-url / --fanout-url.");
            return 1;
        }
        if (ingestHealth != 200 || fanoutHealth != 200) {
            notes.add("health: ingest " + ingestHealth + ", fanout " + fanoutHealth + " (not 200; running anyway)");
        }
        ProcMonitor monitor = ProcMonitor.discover(o, port(ingest), port(fanout), notes);
        Ctx ctx = new Ctx(o, loops, ingestUrl, fanoutUrl, fanoutHttp, monitor, runId, notes, new ArrayList<>());

        String started =
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'"));
        String machine = Proc.cores() + " cores " + Proc.cpuModel() + ", "
                + Math.round(Proc.memTotalBytes() / 1073741824.0) + " GiB, Java " + System.getProperty("java.version");
        String loadAtStart = Proc.loadAverage();
        String commit = o.str("commit").isBlank() ? "unknown" : o.str("commit");
        OUT.println("bench: run " + runId + " at " + started + ", commit " + commit + ", " + machine + ", load average "
                + loadAtStart);
        for (ProcMonitor.Watched w : monitor.watched()) {
            OUT.println("bench:   " + w.name() + " pid " + (w.pid() > 0 ? w.pid() : "?") + " (" + w.how() + ")");
        }
        for (String n : notes) {
            OUT.println("bench: note: " + n);
        }
        OUT.println("bench: phases " + String.join(",", phases));

        Map<String, PhaseResult> results = new LinkedHashMap<>();
        ProcMonitor.Window whole = monitor.begin();
        for (String phase : phases) {
            if (!phase.equals("warmup") && !phase.equals("first-contact")) {
                settle(monitor, phase, o.integer("settle-seconds"));
            }
            long t = System.nanoTime();
            PhaseResult r;
            try {
                r = switch (phase) {
                    case "warmup" -> WarmupPhase.run(ctx);
                    case "first-contact" -> FirstContactPhase.run(ctx);
                    case "saturation" -> SaturationPhase.run(ctx, false);
                    case "sse" -> SaturationPhase.run(ctx, true);
                    case "latency" -> LatencyPhase.run(ctx, LatencyPhase.Beside.NOBODY);
                    case "sse-latency" -> LatencyPhase.run(ctx, LatencyPhase.Beside.SSE);
                    case "ws-latency" -> LatencyPhase.run(ctx, LatencyPhase.Beside.MORE_WEBSOCKETS);
                    case "ingest" -> IngestPhase.run(ctx);
                    case "connections" -> ConnectionsPhase.run(ctx);
                    case "replay" -> ReplayPhase.run(ctx);
                    default -> throw new IllegalStateException(phase);
                };
            } catch (RuntimeException e) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("error", e.toString());
                r = new PhaseResult(phase, phase + ": FAILED " + e, f);
                e.printStackTrace();
            }
            ctx.closePublishers();
            r.figures().put("phaseSeconds", Fmt.r3((System.nanoTime() - t) / 1e9));
            results.put(phase, r);
            OUT.println(r.line());
        }
        ProcMonitor.Usage total = whole.end();

        String finalLine = finalLine(results, total);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("runId", runId);
        json.put("started", started);
        json.put("commit", commit);
        json.put("machine", machine);
        json.put("loadAverageAtStart", loadAtStart);
        json.put("note", o.str("note"));
        json.put("parameters", o.all());
        Map<String, Object> procs = new LinkedHashMap<>();
        for (ProcMonitor.Watched w : monitor.watched()) {
            procs.put(w.name(), Map.of("pid", w.pid(), "foundBy", w.how()));
        }
        json.put("processes", procs);
        json.put("notes", notes);
        Map<String, Object> ph = new LinkedHashMap<>();
        results.forEach((k, v) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("summary", v.line());
            m.putAll(v.figures());
            ph.put(k, m);
        });
        json.put("phases", ph);
        json.put("total", total.json());
        json.put("summary", finalLine);

        Path dir = Path.of(o.str("results-dir"));
        String file = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + commit.replaceAll("[^A-Za-z0-9._-]", "_") + ".json";
        Path out = dir.resolve(file);
        try {
            Files.createDirectories(dir);
            Files.writeString(out, Json.write(json), StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("bench: could not write " + out + ": " + e);
        }
        OUT.println(finalLine + " | json " + out);
        if (!o.str("record").isBlank()) {
            record(Path.of(o.str("record")), row(started, commit, machine, o, results, total));
            recordRealtime(Path.of(o.str("record")), realtimeRow(started, commit, o, results));
        }
        loops.disposeLater().block(Duration.ofSeconds(5));
        return 0;
    }

    private static String finalLine(Map<String, PhaseResult> results, ProcMonitor.Usage total) {
        StringBuilder sb = new StringBuilder("bench:");
        Map<String, Object> f;
        if ((f = figures(results, "saturation")) != null) {
            sb.append(" fan-out ")
                    .append(Fmt.si(num(f, "deliveriesPerSecond")))
                    .append(" deliveries/s lost=")
                    .append(f.get("lost"))
                    .append(" dup=")
                    .append(f.get("duplicated"))
                    .append(" ooo=")
                    .append(f.get("outOfOrder"));
            @SuppressWarnings("unchecked")
            Map<String, Object> cpm = (Map<String, Object>) f.get("cpuSecondsPerMillionDeliveries");
            if (cpm != null) {
                sb.append(" (fanout ").append(cpm.get("fanout")).append(" cpu-s/M)");
            }
            sb.append(';');
        }
        if ((f = figures(results, "latency")) != null) {
            Map<?, ?> l = (Map<?, ?>) f.get("latency");
            sb.append(" latency@")
                    .append(Fmt.si(num(f, "measuredDeliveriesPerSecond")))
                    .append("/s p50=")
                    .append(l.get("p50Ms"))
                    .append(" p99=")
                    .append(l.get("p99Ms"))
                    .append(" p99.9=")
                    .append(l.get("p999Ms"))
                    .append(" ms");
            if (f.get("withReplays") instanceof Map<?, ?> b) {
                Map<?, ?> lb = (Map<?, ?>) b.get("latency");
                sb.append(", with ")
                        .append(b.get("replaySubscribers"))
                        .append(" replays (")
                        .append(Fmt.si(num(b, "replayEventsPerSecond")))
                        .append(" events/s read back) p50=")
                        .append(lb.get("p50Ms"))
                        .append(" p99=")
                        .append(lb.get("p99Ms"))
                        .append(" p99.9=")
                        .append(lb.get("p999Ms"))
                        .append(" ms");
            }
            sb.append(';');
        }
        if ((f = figures(results, "ingest")) != null) {
            sb.append(" push ")
                    .append(Fmt.si(num((Map<?, ?>) f.get("push"), "requestsPerSecond")))
                    .append("/s, batch ")
                    .append(Fmt.si(num((Map<?, ?>) f.get("batch"), "eventsPerSecond")))
                    .append(" events/s;");
        }
        if ((f = figures(results, "connections")) != null) {
            sb.append(" idle conn ")
                    .append(Fmt.f1(num(f, "rssBytesPerConnection") / 1024))
                    .append(" KiB RSS / ")
                    .append(Fmt.f1(num(f, "heapBytesPerConnection") / 1024))
                    .append(" KiB heap (")
                    .append(f.get("connected"))
                    .append(" conns);");
        }
        if ((f = figures(results, "replay")) != null) {
            sb.append(
                    Boolean.TRUE.equals(f.get("supported"))
                            ? " replay " + Fmt.si(num(f, "eventsPerSecond")) + " events/s;"
                            : " replay: not supported by server;");
        }
        double gen = total.cpu("generator");
        double plat = total.platformCpu();
        sb.append(" cpu-s generator=")
                .append(Fmt.f1(gen))
                .append(" platform=")
                .append(Fmt.f1(plat))
                .append(" others=")
                .append(Fmt.f1(total.otherCpu()))
                .append(" machine-busy=")
                .append(Fmt.f0(total.machineBusy() * 100))
                .append('%');
        return sb.toString();
    }

    private static Map<String, Object> figures(Map<String, PhaseResult> results, String name) {
        PhaseResult r = results.get(name);
        return r == null || r.figures().containsKey("error") ? null : r.figures();
    }

    private static double num(Map<?, ?> m, String k) {
        Object v = m.get(k);
        return v instanceof Number n ? n.doubleValue() : -1;
    }

    /** One Markdown table row for bench/RESULTS.md (columns documented there). */
    private static String row(
            String started,
            String commit,
            String machine,
            Options o,
            Map<String, PhaseResult> results,
            ProcMonitor.Usage total) {
        String params = String.format(
                Locale.ROOT,
                "sat %sx%s %ss, lat %sx%s @%s/s +%s replays, ingest %s conns, batch %sx%s, idle %s, replay %s",
                o.str("sat-subscribers"),
                o.str("sat-channels"),
                o.str("sat-seconds"),
                o.str("lat-subscribers"),
                o.str("lat-channels"),
                o.str("lat-rate"),
                o.str("lat-replays"),
                o.str("ingest-connections"),
                o.str("batch-connections"),
                o.str("batch-size"),
                o.str("conn-subscribers"),
                o.str("replay-events"));
        List<String> c = new ArrayList<>();
        c.add(started.substring(0, 16));
        c.add(commit);
        c.add(machine.replaceAll(",.*", ""));
        c.add(params + " (phases " + String.join(",", results.keySet()) + ")");
        Map<String, Object> f = figures(results, "saturation");
        if (f != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> cpm = (Map<String, Object>) f.get("cpuSecondsPerMillionDeliveries");
            c.add(Fmt.si(num(f, "deliveriesPerSecond")));
            c.add(f.get("lost") + "/" + f.get("duplicated") + "/" + f.get("outOfOrder"));
            c.add(Fmt.f2(num(cpm, "fanout")) + " / " + Fmt.f2(num(cpm, "platform")) + " / "
                    + Fmt.f2(num(cpm, "generator")));
        } else {
            c.add("-");
            c.add("-");
            c.add("-");
        }
        f = figures(results, "latency");
        if (f != null) {
            Map<?, ?> l = (Map<?, ?>) f.get("latency");
            String cell = Fmt.f1(num(l, "p50Ms")) + " / " + Fmt.f1(num(l, "p99Ms")) + " / " + Fmt.f1(num(l, "p999Ms"));
            if (f.get("withReplays") instanceof Map<?, ?> b) {
                Map<?, ?> lb = (Map<?, ?>) b.get("latency");
                cell += "; +" + b.get("replaySubscribers") + " replays (" + Fmt.si(num(b, "replayEventsPerSecond"))
                        + " ev/s): " + Fmt.f1(num(lb, "p50Ms")) + " / " + Fmt.f1(num(lb, "p99Ms")) + " / "
                        + Fmt.f1(num(lb, "p999Ms"));
            }
            c.add(cell);
        } else {
            c.add("-");
        }
        f = figures(results, "ingest");
        c.add(f == null ? "-" : Fmt.si(num((Map<?, ?>) f.get("push"), "requestsPerSecond")));
        c.add(f == null ? "-" : Fmt.si(num((Map<?, ?>) f.get("batch"), "eventsPerSecond")));
        f = figures(results, "connections");
        c.add(
                f == null
                        ? "-"
                        : Fmt.f1(num(f, "rssBytesPerConnection") / 1024) + " / "
                                + Fmt.f1(num(f, "heapBytesPerConnection") / 1024));
        f = figures(results, "replay");
        c.add(f == null ? "-" : Boolean.TRUE.equals(f.get("supported")) ? Fmt.si(num(f, "eventsPerSecond")) : "n/s");
        c.add(Fmt.f0(total.cpu("generator")) + " / " + Fmt.f0(total.platformCpu()) + " / " + Fmt.f0(total.otherCpu()));
        c.add(o.str("note").replace('|', '/'));
        return "| " + String.join(" | ", c) + " |";
    }

    /** The header of the second table of bench/RESULTS.md: the realtime figures of issue 13, one row per run. */
    static final String REALTIME_HEADER =
            "| date | commit | first contact: /push/s first 10 s / first 60 s | SSE deliveries/s (x WebSocket)"
                    + " | fanout cpu-s per M deliveries, SSE / WebSocket | WebSocket p99 ms without / with SSE subs (/ with as many more WebSocket subs)"
                    + " | cores at 1,000 /push/s: ingest / kafka / fanout / platform | auth | note |";

    /** One row of the realtime table ({@link #REALTIME_HEADER}). */
    private static String realtimeRow(String started, String commit, Options o, Map<String, PhaseResult> results) {
        List<String> c = new ArrayList<>();
        c.add(started.substring(0, 16));
        c.add(commit);
        Map<String, Object> f = figures(results, "first-contact");
        c.add(
                f == null
                        ? "-"
                        : Fmt.si(num(f, "pushPerSecondFirst10s")) + " / " + Fmt.si(num(f, "pushPerSecondWhole"))
                                + " (up " + Fmt.f0(num(f, "ingestUptimeSecondsAtStart")) + " s)");
        Map<String, Object> sat = figures(results, "saturation");
        Map<String, Object> sse = figures(results, "sse");
        if (sse != null) {
            String ratio = sat == null
                    ? ""
                    : " (" + Fmt.f2(num(sse, "deliveriesPerSecond") / num(sat, "deliveriesPerSecond")) + "x)";
            c.add(Fmt.si(num(sse, "deliveriesPerSecond")) + ratio + ", lost/dup/ooo " + sse.get("lost") + "/"
                    + sse.get("duplicated") + "/" + sse.get("outOfOrder"));
            Map<?, ?> cs = (Map<?, ?>) sse.get("cpuSecondsPerMillionDeliveries");
            String ws =
                    sat == null ? "-" : Fmt.f2(num((Map<?, ?>) sat.get("cpuSecondsPerMillionDeliveries"), "fanout"));
            c.add(Fmt.f2(num(cs, "fanout")) + " / " + ws);
        } else {
            c.add("-");
            c.add("-");
        }
        Map<String, Object> lat = figures(results, "latency");
        Map<String, Object> sseLat = figures(results, "sse-latency");
        Map<String, Object> wsLat = figures(results, "ws-latency");
        c.add((lat == null ? "-" : Fmt.f1(num((Map<?, ?>) lat.get("latency"), "p99Ms"))) + " / "
                + (sseLat == null
                        ? "-"
                        : Fmt.f1(num((Map<?, ?>) sseLat.get("latency"), "p99Ms")) + " (+" + sseLat.get("sseSubscribers")
                                + " SSE)")
                + (wsLat == null
                        ? ""
                        : " / " + Fmt.f1(num((Map<?, ?>) wsLat.get("latency"), "p99Ms")) + " (+"
                                + wsLat.get("moreWebSocketSubscribers") + " WS)"));
        if (lat != null && lat.get("platformCores") instanceof Map<?, ?> cores) {
            String directory = lat.get("platformCoresByThreadGroup") instanceof Map<?, ?> groups
                            && groups.get("ingest") instanceof Map<?, ?> ingest
                            && ingest.get(ThreadCpu.DIRECTORY) instanceof Number d
                    ? " (directory " + Fmt.f2(d.doubleValue()) + ")"
                    : "";
            c.add(Fmt.f2(num(cores, "ingest")) + directory + " / " + Fmt.f2(num(cores, "kafka")) + " / "
                    + Fmt.f2(num(cores, "fanout")) + " / " + Fmt.f2(num(cores, "platform")));
        } else {
            c.add("-");
        }
        c.add(o.str("token").isBlank() ? "off" : "on");
        c.add(o.str("note").replace('|', '/'));
        return "| " + String.join(" | ", c) + " |";
    }

    /** Adds {@code row} to the realtime table (after its last row), or starts that table at the end of the file. */
    private static void recordRealtime(Path file, String row) {
        try {
            List<String> lines = Files.exists(file)
                    ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                    : new ArrayList<>();
            int header = lines.indexOf(REALTIME_HEADER);
            if (header < 0) {
                lines.add("");
                lines.add("## Realtime figures (issue 13), one row per `bench/run --record`");
                lines.add("");
                lines.add(REALTIME_HEADER);
                lines.add("|" + " --- |".repeat(REALTIME_HEADER.split("\\|", -1).length - 2));
                lines.add(row);
            } else {
                int at = header + 1;
                while (at < lines.size() && lines.get(at).startsWith("|")) {
                    at++;
                }
                lines.add(at, row);
            }
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("bench: could not add a row to " + file + ": " + e);
        }
    }

    /** Adds {@code row} after the last row of the file's first table (the runs), or at the end if it has none. */
    private static void record(Path file, String row) {
        try {
            List<String> lines = Files.exists(file)
                    ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                    : new ArrayList<>();
            int at = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith("|")) {
                    at = i + 1;
                } else if (at >= 0) {
                    break;
                }
            }
            lines.add(at < 0 ? lines.size() : at, row);
            Files.write(file, lines, StandardCharsets.UTF_8);
            OUT.println("bench: row added to " + file);
        } catch (IOException e) {
            System.err.println("bench: could not add a row to " + file + ": " + e);
        }
    }

    /**
     * Waits (at most {@code maxSeconds}) until the platform is idle, under 15 % of one core for a second, so that a
     * phase does not measure what the previous one left behind (the channel directory catching up, GC, closing
     * sockets). Prints how long that took.
     */
    private static void settle(ProcMonitor monitor, String phase, int maxSeconds) {
        long t0 = System.nanoTime();
        double busy = 0;
        while (maxSeconds > 0 && System.nanoTime() - t0 < maxSeconds * 1_000_000_000L) {
            ProcMonitor.Window w = monitor.begin();
            WsClients.sleep(1000);
            ProcMonitor.Usage u = w.end();
            busy = Math.max(0, u.cpu("fanout")) + Math.max(0, u.cpu("ingest")) + Math.max(0, u.cpu("kafka"));
            if (busy < 0.15) {
                break;
            }
        }
        OUT.printf(
                "bench: platform idle after %.1f s before %s%s%n",
                (System.nanoTime() - t0) / 1e9,
                phase,
                busy < 0.15 ? "" : String.format(" (still %.2f cores busy: measuring anyway)", busy));
    }

    private static List<String> phases(String s) {
        if (s.isBlank() || s.trim().equals("all")) {
            return ALL;
        }
        List<String> out = new ArrayList<>();
        for (String p : s.split(",")) {
            String t = p.trim();
            if (!ALL.contains(t)) {
                throw new IllegalArgumentException("unknown phase '" + t + "'; phases are " + String.join(",", ALL));
            }
            out.add(t);
        }
        return out;
    }

    private static URI uri(String flag, String s, String kind) {
        URI u;
        try {
            u = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + flag + " '" + s + "' is not a URL");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        boolean ok = kind.equals("http") ? scheme.matches("https?") : scheme.matches("wss?");
        if (!ok || u.getHost() == null) {
            throw new IllegalArgumentException(
                    "--" + flag + " '" + s + "' must be a " + kind + "(s):// URL with a host");
        }
        return u;
    }

    private static int port(URI u) {
        if (u.getPort() > 0) {
            return u.getPort();
        }
        return u.getScheme().equals("https") || u.getScheme().equals("wss") ? 443 : 80;
    }

    private static void loopbackOnly(String flag, URI u) {
        try {
            for (InetAddress a : InetAddress.getAllByName(u.getHost())) {
                if (!a.isLoopbackAddress()) {
                    throw new IllegalArgumentException("--" + flag + " " + u + " is not a loopback address; the "
                            + "generator only sends to 127.0.0.0/8 unless --allow-remote is given");
                }
            }
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("--" + flag + ": unknown host " + u.getHost());
        }
    }

    private static void watchdog(int seconds) {
        Thread t = new Thread(
                () -> {
                    try {
                        Thread.sleep(seconds * 1000L);
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.println("bench: hard time limit of " + seconds + " s reached (--max-seconds); exiting");
                    Runtime.getRuntime().halt(3);
                },
                "bench-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
