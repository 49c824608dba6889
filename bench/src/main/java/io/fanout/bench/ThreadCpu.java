package io.fanout.bench;

import io.fanout.tools.proc.Proc;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a JVM's CPU went over a window, by what its threads do: the JIT compilers, the garbage collector, the
 * channel directory (ingest's Kafka Streams threads, their clients' threads and RocksDB's) and the rest (serving).
 * Per-thread CPU comes from /proc/&lt;pid&gt;/task; the threads' full names from {@code jcmd <pid> Thread.print}
 * (one thread dump after the window), else from the 15 characters Linux keeps of a name.
 */
final class ThreadCpu {
    private ThreadCpu() {}

    static final String JIT = "jit";
    static final String GC = "gc";
    static final String DIRECTORY = "directory";
    static final String REST = "rest";

    /** The groups, in the order they are reported. */
    private static final List<String> GROUPS = List.of(JIT, GC, DIRECTORY, REST);

    /** G1's, Parallel's and ZGC's thread names (HotSpot 17 to 25). */
    private static final String[] GC_PREFIXES = {
        "GC Thread", "G1 ", "ZWorker", "ZRuntimeWorker", "ZDirector", "ZDriver", "ZStat", "ZUncommit", "ZUnmap"
    };

    private static final Pattern THREAD_LINE = Pattern.compile("^\"(.*)\" .*\\bnid=(0x[0-9a-fA-F]+|[0-9]+)\\b");

    /** CPU ticks per thread id of each watched platform process (not the generator), at one moment. */
    record Snapshot(Map<String, Long> pids, Map<String, Map<Long, Long>> ticks) {
        static Snapshot take(List<ProcMonitor.Watched> watched) {
            Map<String, Long> pids = new LinkedHashMap<>();
            Map<String, Map<Long, Long>> ticks = new LinkedHashMap<>();
            for (ProcMonitor.Watched w : watched) {
                if (w.pid() > 0 && !w.name().equals("generator")) {
                    pids.put(w.name(), w.pid());
                    ticks.put(w.name(), Proc.threadCpuTicks(w.pid()));
                }
            }
            return new Snapshot(pids, ticks);
        }
    }

    /**
     * Cores per group and process between two snapshots (threads started in between count from zero). The names are
     * read now, after the window, so that the thread dump does not disturb it.
     *
     * @param directoryMark text in the name of every thread of the directory (its Streams {@code application.id})
     */
    static Map<String, Map<String, Object>> cores(Snapshot from, Snapshot to, double seconds, String directoryMark) {
        Map<String, Map<String, Object>> byProcess = new LinkedHashMap<>();
        to.ticks().forEach((process, now) -> {
            long pid = to.pids().get(process);
            Map<Long, Long> before = from.ticks().getOrDefault(process, Map.of());
            Map<Long, String> names = names(pid);
            Map<String, Double> used = new LinkedHashMap<>();
            GROUPS.forEach(g -> used.put(g, 0.0));
            now.forEach((tid, t) -> {
                String name = names.containsKey(tid) ? names.get(tid) : Proc.threadName(pid, tid);
                used.merge(
                        group(name, directoryMark),
                        (t - before.getOrDefault(tid, 0L)) / Proc.TICKS_PER_SECOND,
                        Double::sum);
            });
            Map<String, Object> cores = new LinkedHashMap<>();
            used.forEach((g, cpu) -> {
                if (cpu > 0 || !g.equals(DIRECTORY)) {
                    cores.put(g, Fmt.r3(cpu / seconds));
                }
            });
            byProcess.put(process, cores);
        });
        return byProcess;
    }

    /** "ingest jit=0.01 gc=0.00 directory=0.01 rest=0.07; kafka ..." */
    static String line(Map<String, Map<String, Object>> cores) {
        StringBuilder b = new StringBuilder();
        cores.forEach((process, groups) -> {
            b.append(b.isEmpty() ? "" : "; ").append(process);
            groups.forEach((g, c) -> b.append(' ').append(g).append('=').append(Fmt.f2(((Number) c).doubleValue())));
        });
        return b.toString();
    }

    /** The group a thread of this name belongs to. */
    static String group(String name, String directoryMark) {
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            return JIT;
        }
        for (String prefix : GC_PREFIXES) {
            if (name.startsWith(prefix)) {
                return GC;
            }
        }
        if (!directoryMark.isEmpty() && name.contains(directoryMark) || name.startsWith("rocksdb:")) {
            return DIRECTORY;
        }
        return REST;
    }

    /** Thread id → full name, from one {@code jcmd Thread.print}; empty when jcmd is not at hand or fails. */
    static Map<Long, String> names(long pid) {
        Map<Long, String> names = new HashMap<>();
        Path jcmd = Jcmd.binary();
        if (pid > 0 && jcmd != null) {
            parse(Jcmd.run(jcmd, pid, "Thread.print"), names);
        }
        return names;
    }

    /** Reads thread id → name from a thread dump's header lines ({@code nid=0x1a2b} before JDK 19, decimal after). */
    static void parse(String dump, Map<Long, String> into) {
        for (String line : dump.split("\n")) {
            Matcher m = THREAD_LINE.matcher(line);
            if (m.find()) {
                String nid = m.group(2);
                into.put(nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid), m.group(1));
            }
        }
    }
}
