package io.fanout.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line flags. Every flag {@code --foo-bar X} may also come from the environment as
 * {@code BENCH_FOO_BAR=X}; the two URLs also from {@code INGEST_URL} / {@code FANOUT_URL}. A flag
 * wins over the environment, the environment over the default.
 */
final class Options {

    private record Flag(String name, String def, String help) {}

    private static final List<Flag> FLAGS = new ArrayList<>();

    private static void flag(String name, String def, String help) {
        FLAGS.add(new Flag(name, def, help));
    }

    static {
        flag("ingest-url", "http://127.0.0.1:8080", "ingest-service base URL (env INGEST_URL)");
        flag("fanout-url", "ws://127.0.0.1:8081", "fanout-service base URL (env FANOUT_URL)");
        flag(
                "phases",
                "first-contact,warmup,saturation,sse,latency,sse-latency,ws-latency,ingest,connections,replay",
                "phases to run, in this order (comma-separated; 'all' = the default list)");
        flag(
                "token",
                "",
                "a JWT sent with every request and subscription (auth on: mint one with tools/run mint-token); empty: none");
        flag("message-bytes", "100", "approximate size of each published message (JSON), bytes");
        flag("threads", "2", "generator event-loop threads");
        flag("connect-concurrency", "200", "WebSocket handshakes in flight at once");

        flag(
                "first-contact-seconds",
                "60",
                "first-contact: POST /push from the first second, before any warm-up (run it first, right after a start)");
        flag(
                "first-contact-generator-warmup",
                "15",
                "first-contact: seconds the generator first publishes to an in-process sink (not the platform), so that"
                        + " its own JIT is not counted against the platform's; 0: none");
        flag("warmup-seconds", "60", "warmup: publishing before anything is measured, so the services' JIT is done");
        flag("settle-seconds", "60", "longest wait before each phase for the platform to be idle (0: no wait)");
        flag("sat-subscribers", "1000", "saturation: WebSocket subscribers");
        flag("sat-channels", "10", "saturation: channels (subscriber i follows channel i % K)");
        flag("sat-seconds", "20", "saturation: measured publishing time");
        flag("sat-warmup-seconds", "3", "saturation: publishing time before, not measured");
        flag("sat-batch", "100", "saturation: events per POST /push/batch");
        flag("sat-batch-publishers", "4", "saturation: concurrent /push/batch loops");
        flag("sat-push-publishers", "2", "saturation: concurrent single POST /push loops");
        flag(
                "sat-max-lag",
                "200",
                "saturation: pause publishing while more than this many events per channel are published "
                        + "but not yet delivered to its subscribers (0 = never pause)");

        flag("sse-subscribers", "1000", "sse: SSE subscribers (the saturation phase over /sse)");
        flag("sse-channels", "10", "sse: channels (subscriber i follows channel i % K)");
        flag(
                "lat-sse-subscribers",
                "100",
                "sse-latency: SSE subscribers following the latency phase's channels beside its WebSocket ones"
                        + " (ws-latency: as many more WebSocket subscribers, its control)");

        flag("lat-subscribers", "100", "latency: WebSocket subscribers");
        flag("lat-channels", "10", "latency: channels");
        flag("lat-rate", "10000", "latency: target deliveries/s (publishes/s = rate / subscribers per channel)");
        flag("lat-seconds", "20", "latency: measured time");
        flag("lat-warmup-seconds", "5", "latency: unmeasured time before");
        flag(
                "lat-replays",
                "4",
                "latency: replay subscribers reading history over and over during a second measured window "
                        + "(0 = no second window)");
        flag("lat-replay-events", "100000", "latency: events of history those replays read (from its first offset)");

        flag("ingest-connections", "64", "ingest: concurrent POST /push loops (one connection each)");
        flag("ingest-seconds", "15", "ingest: measured time of each of /push and /push/batch");
        flag("ingest-warmup-seconds", "3", "ingest: unmeasured time before each");
        flag("batch-size", "500", "ingest: events per POST /push/batch");
        flag("batch-connections", "8", "ingest: concurrent POST /push/batch loops");

        flag("conn-subscribers", "19500", "connections: idle WebSocket subscribers");
        flag(
                "conn-per-source-ip",
                "20000",
                "connections: at most this many connections per source address 127.0.0.x (then the next)");
        flag("conn-settle-seconds", "5", "connections: wait before each memory reading");
        flag("conn-gc", "auto", "connections: run 'jcmd <pid> GC.run' before reading heap (auto|on|off)");

        flag("replay-events", "100000", "replay: events of history written, then read back with from=");
        flag("replay-timeout-seconds", "90", "replay: give up reading after this long");

        flag("fanout-pid", "", "pid of fanout-service (default: whoever listens on the fanout port)");
        flag("ingest-pid", "", "pid of ingest-service (default: whoever listens on the ingest port)");
        flag("kafka-pid", "", "pid of Kafka (default: whoever listens on --kafka-port, else main class kafka.Kafka)");
        flag("kafka-port", "9092", "Kafka's port, to find its process (0: do not look for Kafka)");
        flag(
                "directory-app-id",
                "fanout-directory",
                "the channel directory's Streams application.id: its threads' CPU is reported apart from ingest's");

        flag("results-dir", "bench/results", "where the JSON result file goes");
        flag("record", "", "append this run's row to this Markdown file (bench/run --record: bench/RESULTS.md)");
        flag("commit", "", "commit id to record (bench/run passes git's)");
        flag("note", "", "free text recorded with the run");
        flag("max-seconds", "900", "hard limit for the whole run; the generator exits after it");
        flag("allow-remote", "false", "allow URLs outside 127.0.0.0/8");
    }

    private final Map<String, String> values = new LinkedHashMap<>();

    private Options() {}

    static Options parse(String[] args) {
        Options o = new Options();
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                usage();
                System.exit(0);
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (flags are --name value)");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (name.equals("allow-remote")) {
                value = "true";
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            if (find(name) == null) {
                throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
            }
            given.put(name, value);
        }
        for (Flag f : FLAGS) {
            String v = given.get(f.name);
            if (v == null) {
                v = System.getenv("BENCH_" + f.name.toUpperCase().replace('-', '_'));
            }
            if (v == null && f.name.equals("ingest-url")) {
                v = System.getenv("INGEST_URL");
            }
            if (v == null && f.name.equals("fanout-url")) {
                v = System.getenv("FANOUT_URL");
            }
            o.values.put(f.name, v == null ? f.def : v);
        }
        return o;
    }

    private static Flag find(String name) {
        for (Flag f : FLAGS) {
            if (f.name.equals(name)) {
                return f;
            }
        }
        return null;
    }

    static void usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: bench/run [--record] [--mock] [--flag value]...\n\n");
        sb.append("  --record                   append this run's row to bench/RESULTS.md (bench/run)\n");
        sb.append("  --mock                     run against an in-memory stand-in on 18080/18081 (bench/run)\n");
        for (Flag f : FLAGS) {
            sb.append(String.format("  --%-24s %s%n", f.name, f.help + (f.def.isEmpty() ? "" : " [" + f.def + "]")));
        }
        System.out.print(sb);
    }

    String str(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalStateException("no flag " + name);
        }
        return v;
    }

    int integer(String name) {
        try {
            return Integer.parseInt(str(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + str(name) + "'");
        }
    }

    boolean bool(String name) {
        return Boolean.parseBoolean(str(name).trim());
    }

    /** All values, for the result file. */
    Map<String, String> all() {
        return values;
    }
}
