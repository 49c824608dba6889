package io.fanout.bench;

import io.fanout.tools.proc.Proc;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU seconds, RSS and time stopped at safepoints (garbage-collection pauses) of the platform's processes (and of
 * the generator itself) over a window, and each platform JVM's CPU per thread. {@link #begin()} takes a snapshot; a daemon thread samples RSS every 500 ms
 * for the peak; {@link Window#end()} gives the deltas. Not thread-safe: one window at a time, from one thread.
 */
final class ProcMonitor {

    /** A watched process. pid -1 means not found (its figures are then left out). */
    record Watched(String name, long pid, String how) {}

    private final List<Watched> watched;
    private volatile long[] peakRss;
    private final Thread sampler;

    ProcMonitor(List<Watched> watched) {
        this.watched = List.copyOf(watched);
        this.peakRss = new long[watched.size()];
        this.sampler = new Thread(this::sample, "bench-proc-sampler");
        this.sampler.setDaemon(true);
        this.sampler.start();
    }

    List<Watched> watched() {
        return watched;
    }

    long pidOf(String name) {
        for (Watched w : watched) {
            if (w.name.equals(name)) {
                return w.pid;
            }
        }
        return -1;
    }

    private void sample() {
        while (true) {
            long[] peaks = peakRss;
            for (int i = 0; i < watched.size(); i++) {
                long pid = watched.get(i).pid;
                if (pid > 0) {
                    long rss = Proc.rssBytes(pid);
                    if (rss > peaks[i]) {
                        peaks[i] = rss;
                    }
                }
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    Window begin() {
        peakRss = new long[watched.size()];
        return new Window();
    }

    /** One measured window. */
    final class Window {
        private final long startNanos = System.nanoTime();
        private final double[][] startCpu = new double[watched.size()][];
        private final JvmPerfData.Stopped[] startStopped = new JvmPerfData.Stopped[watched.size()];
        private final long[] startMachine = Proc.machineTicks();
        private final ThreadCpu.Snapshot startThreads = ThreadCpu.Snapshot.take(watched);

        private Window() {
            for (int i = 0; i < watched.size(); i++) {
                long pid = watched.get(i).pid;
                startCpu[i] = pid > 0 ? Proc.cpuTimes(pid) : null;
                startStopped[i] = pid > 0 ? JvmPerfData.stopped(pid) : null;
            }
        }

        Usage end() {
            double wall = (System.nanoTime() - startNanos) / 1e9;
            long[] m = Proc.machineTicks();
            double busyShare =
                    m[1] - startMachine[1] > 0 ? (double) (m[0] - startMachine[0]) / (m[1] - startMachine[1]) : 0;
            Map<String, ProcessUsage> per = new LinkedHashMap<>();
            long[] peaks = peakRss;
            for (int i = 0; i < watched.size(); i++) {
                Watched w = watched.get(i);
                if (w.pid <= 0) {
                    continue;
                }
                double[] cpu = Proc.cpuTimes(w.pid);
                long rss = Proc.rssBytes(w.pid);
                double user = cpu != null && startCpu[i] != null ? cpu[0] - startCpu[i][0] : -1;
                double sys = cpu != null && startCpu[i] != null ? cpu[1] - startCpu[i][1] : -1;
                JvmPerfData.Stopped stopped = startStopped[i] == null ? null : JvmPerfData.stopped(w.pid);
                per.put(
                        w.name,
                        new ProcessUsage(
                                user < 0 ? -1 : user + sys,
                                user,
                                sys,
                                rss,
                                Math.max(rss, peaks[i]),
                                stopped == null ? null : stopped.since(startStopped[i])));
            }
            return new Usage(wall, busyShare, per, startThreads, ThreadCpu.Snapshot.take(watched));
        }
    }

    /**
     * What one process used in a window.
     *
     * @param cpuSeconds user + system CPU seconds (-1: unreadable)
     * @param rssEnd RSS at the end, bytes
     * @param rssPeak the highest RSS sampled in the window, bytes
     * @param stopped time its JVM was stopped at safepoints; {@code null} when it is not a JVM whose counters could be
     *     read
     */
    record ProcessUsage(
            double cpuSeconds,
            double userSeconds,
            double systemSeconds,
            long rssEnd,
            long rssPeak,
            JvmPerfData.Stopped stopped) {}

    /**
     * What each process used in a window, by name; the machine's busy share of all cores (0..1) over it; each platform
     * JVM's CPU per thread at its start and end.
     */
    record Usage(
            double wallSeconds,
            double machineBusy,
            Map<String, ProcessUsage> perProcess,
            ThreadCpu.Snapshot threadsAtStart,
            ThreadCpu.Snapshot threadsAtEnd) {

        /**
         * Each platform process's cores over the window by what its threads do ({@link ThreadCpu}); reads the threads'
         * names now, with one thread dump per process, so call it after the window, not inside another.
         *
         * @param directoryMark text in the name of every thread of the channel directory (its Streams application.id)
         */
        Map<String, Map<String, Object>> coresByThreadGroup(String directoryMark) {
            return ThreadCpu.cores(threadsAtStart, threadsAtEnd, wallSeconds, directoryMark);
        }

        double cpu(String name) {
            ProcessUsage p = perProcess.get(name);
            return p == null ? -1 : p.cpuSeconds();
        }

        /** CPU seconds the machine spent on processes not watched here (other users of the box). */
        double otherCpu() {
            double sum = 0;
            for (ProcessUsage p : perProcess.values()) {
                if (p.cpuSeconds() > 0) {
                    sum += p.cpuSeconds();
                }
            }
            return Math.max(0, machineBusy * Proc.cores() * wallSeconds - sum);
        }

        double platformCpu() {
            double sum = 0;
            for (Map.Entry<String, ProcessUsage> e : perProcess.entrySet()) {
                if (!e.getKey().equals("generator") && e.getValue().cpuSeconds() > 0) {
                    sum += e.getValue().cpuSeconds();
                }
            }
            return sum;
        }

        /**
         * "cpu-s fanout=1.2 ingest=.. kafka=.. gen=.. busy=87% | rss-MB fanout=.. ... (peak) | stopped-ms
         * fanout=41/3 ..." (milliseconds at safepoints / how many).
         */
        String line() {
            StringBuilder cpu = new StringBuilder("cpu-s");
            StringBuilder rss = new StringBuilder("rss-MB");
            StringBuilder stopped = new StringBuilder("stopped-ms");
            for (Map.Entry<String, ProcessUsage> e : perProcess.entrySet()) {
                ProcessUsage p = e.getValue();
                cpu.append(' ').append(e.getKey()).append('=').append(Fmt.f1(p.cpuSeconds()));
                rss.append(' ').append(e.getKey()).append('=').append(Fmt.f0(p.rssPeak() / 1048576.0));
                if (p.stopped() != null) {
                    stopped.append(' ')
                            .append(e.getKey())
                            .append('=')
                            .append(Fmt.f0(p.stopped().millis()))
                            .append('/')
                            .append(p.stopped().safepoints());
                }
            }
            cpu.append(" others=")
                    .append(Fmt.f1(otherCpu()))
                    .append(" machine-busy=")
                    .append(Fmt.f0(machineBusy * 100))
                    .append('%')
                    .append(" of ")
                    .append(Proc.cores())
                    .append(" cores over ")
                    .append(Fmt.f1(wallSeconds))
                    .append('s');
            return cpu + " | " + rss + " (peak) | " + stopped + " (at safepoints: GC pauses and others)";
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("wallSeconds", Fmt.r3(wallSeconds));
            m.put("machineBusyShare", Fmt.r3(machineBusy));
            m.put("cores", Proc.cores());
            m.put("otherProcessesCpuSeconds", Fmt.r3(otherCpu()));
            Map<String, Object> procs = new LinkedHashMap<>();
            for (Map.Entry<String, ProcessUsage> e : perProcess.entrySet()) {
                ProcessUsage u = e.getValue();
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("cpuSeconds", Fmt.r3(u.cpuSeconds()));
                p.put("userSeconds", Fmt.r3(u.userSeconds()));
                p.put("systemSeconds", Fmt.r3(u.systemSeconds()));
                p.put("cpuShareOfOneCore", Fmt.r3(u.cpuSeconds() / wallSeconds));
                p.put("rssBytesEnd", u.rssEnd());
                p.put("rssBytesPeak", u.rssPeak());
                if (u.stopped() != null) {
                    p.put("stoppedMillis", Fmt.r3(u.stopped().millis()));
                    p.put("safepoints", u.stopped().safepoints());
                }
                procs.put(e.getKey(), p);
            }
            m.put("processes", procs);
            return m;
        }
    }

    /** Finds the platform's processes: by flag, else by listening port, else by command line. */
    static ProcMonitor discover(Options o, int ingestPort, int fanoutPort, List<String> notes) {
        List<Watched> w = new ArrayList<>();
        w.add(find("fanout", o.str("fanout-pid"), fanoutPort, "fanout-service", notes));
        w.add(find("ingest", o.str("ingest-pid"), ingestPort, "ingest-service", notes));
        w.add(find("kafka", o.str("kafka-pid"), o.integer("kafka-port"), "kafka.Kafka", notes));
        w.add(new Watched("generator", ProcessHandle.current().pid(), "self"));
        // one process found under two names (e.g. a stand-in serving both): count it once
        for (int i = 1; i < w.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (w.get(i).pid > 0 && w.get(i).pid == w.get(j).pid) {
                    w.set(i, new Watched(w.get(i).name, -1, "same process as " + w.get(j).name));
                }
            }
        }
        return new ProcMonitor(w);
    }

    private static Watched find(String name, String flag, int port, String cmdText, List<String> notes) {
        if (!flag.isBlank()) {
            long pid = Long.parseLong(flag.trim());
            if (!Proc.alive(pid)) {
                notes.add(name + ": pid " + pid + " given but not running; its CPU/RSS are left out");
                return new Watched(name, -1, "flag");
            }
            return new Watched(name, pid, "flag");
        }
        if (port == 0) {
            return new Watched(name, -1, "not looked for (port 0)");
        }
        long pid = port > 0 ? Proc.listenerPid(port) : -1;
        if (pid > 0) {
            return new Watched(name, pid, "port " + port);
        }
        pid = Proc.javaPidWith(cmdText);
        if (pid > 0) {
            return new Watched(name, pid, "cmdline '" + cmdText + "'");
        }
        notes.add(name + ": no process found (port " + port + ", cmdline '" + cmdText
                + "'); its CPU/RSS are left out (give --" + name + "-pid)");
        return new Watched(name, -1, "not found");
    }
}
