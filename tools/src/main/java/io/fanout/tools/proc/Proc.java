package io.fanout.tools.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Linux /proc readings: CPU time and RSS of a process, whole-machine CPU, who listens on a port. Shared by bench
 * and the fault client; stateless, callable from any thread.
 */
public final class Proc {

    /** USER_HZ: the unit of utime/stime in /proc/<pid>/stat. 100 on every Linux this runs on. */
    public static final double TICKS_PER_SECOND = 100.0;

    private Proc() {}

    /** utime + stime of a process in seconds, or -1 if it is gone. */
    public static double cpuSeconds(long pid) {
        double[] t = cpuTimes(pid);
        return t == null ? -1 : t[0] + t[1];
    }

    /** {utime, stime} of a process in seconds, or null if it is gone. */
    public static double[] cpuTimes(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        if (stat == null) {
            return null;
        }
        long[] ticks = userAndSystemTicks(stat);
        return new double[] {ticks[0] / TICKS_PER_SECOND, ticks[1] / TICKS_PER_SECOND};
    }

    /** {utime, stime} in ticks from the text of a /proc/&lt;pid&gt;/stat or /proc/&lt;pid&gt;/task/&lt;tid&gt;/stat. */
    private static long[] userAndSystemTicks(String stat) {
        // the command name (field 2) may contain spaces: fields start after the last ')'
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // after ')' field 3 (state) is f[0]; utime is field 14 -> f[11], stime field 15 -> f[12]
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    /**
     * utime + stime of each of a process's threads, in ticks ({@link #TICKS_PER_SECOND}), by thread id (the JVM's
     * {@code nid}); empty if the process is gone. A thread that ends between two readings is missing from the later.
     */
    public static Map<Long, Long> threadCpuTicks(long pid) {
        Map<Long, Long> ticks = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat = read(task.resolve("stat"));
                if (stat != null) {
                    long[] t = userAndSystemTicks(stat);
                    ticks.put(Long.parseLong(task.getFileName().toString()), t[0] + t[1]);
                }
            }
        } catch (IOException | SecurityException e) {
            return Map.of();
        }
        return ticks;
    }

    /** The name Linux keeps of a thread (its first 15 characters), or "?" if the thread is gone. */
    public static String threadName(long pid, long tid) {
        String comm = read(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "comm"));
        return comm == null ? "?" : comm.trim();
    }

    /** VmRSS in bytes, or -1. */
    public static long rssBytes(long pid) {
        return statusKb(pid, "VmRSS:") * 1024;
    }

    private static long statusKb(long pid, String key) {
        String status = read(Path.of("/proc", Long.toString(pid), "status"));
        if (status == null) {
            return -1;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith(key)) {
                String v = line.substring(key.length()).trim();
                return Long.parseLong(v.substring(0, v.indexOf(' ')));
            }
        }
        return -1;
    }

    public static boolean alive(long pid) {
        return Files.exists(Path.of("/proc", Long.toString(pid)));
    }

    public static String cmdline(long pid) {
        String c = read(Path.of("/proc", Long.toString(pid), "cmdline"));
        return c == null ? "" : c.replace('\0', ' ').trim();
    }

    /** Machine-wide CPU ticks from /proc/stat: {busy, total}. */
    public static long[] machineTicks() {
        String stat = read(Path.of("/proc/stat"));
        if (stat == null) {
            return new long[] {0, 0};
        }
        String[] f = stat.substring(0, stat.indexOf('\n')).trim().split("\\s+");
        long total = 0;
        long idle = 0;
        for (int i = 1; i < f.length; i++) {
            long v = Long.parseLong(f[i]);
            if (i <= 8) { // user nice system idle iowait irq softirq steal (guest is inside user)
                total += v;
            }
            if (i == 4 || i == 5) {
                idle += v;
            }
        }
        return new long[] {total - idle, total};
    }

    /** The 1, 5 and 15 minute load averages, as /proc/loadavg has them. */
    public static String loadAverage() {
        String l = read(Path.of("/proc/loadavg"));
        if (l == null) {
            return "?";
        }
        String[] f = l.trim().split("\\s+");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "?";
    }

    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    public static String cpuModel() {
        String info = read(Path.of("/proc/cpuinfo"));
        if (info != null) {
            for (String line : info.split("\n")) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim().replaceAll("\\s+", " ");
                }
            }
        }
        return System.getProperty("os.arch");
    }

    public static long memTotalBytes() {
        String info = read(Path.of("/proc/meminfo"));
        if (info != null) {
            for (String line : info.split("\n")) {
                if (line.startsWith("MemTotal:")) {
                    String v = line.substring(9).trim();
                    return Long.parseLong(v.substring(0, v.indexOf(' '))) * 1024;
                }
            }
        }
        return -1;
    }

    /** The pid of the process listening on a TCP port (IPv4 or IPv6), or -1. */
    public static long listenerPid(int port) {
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            String t = read(Path.of(table));
            if (t == null) {
                continue;
            }
            String[] lines = t.split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].trim().split("\\s+");
                if (f.length < 10 || !f[3].equals("0A")) { // 0A = LISTEN
                    continue;
                }
                String local = f[1];
                int p = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                if (p == port) {
                    inodes.add("socket:[" + f[9] + "]");
                }
            }
        }
        if (inodes.isEmpty()) {
            return -1;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(p.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                                return Long.parseLong(p.getFileName().toString());
                            }
                        } catch (IOException | UnsupportedOperationException ignored) {
                            // the fd closed meanwhile
                        }
                    }
                } catch (IOException | SecurityException ignored) {
                    // another user's process or gone
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** The first java process whose command line contains the text, or -1. */
    public static long javaPidWith(String text) {
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                String c = cmdline(pid);
                if (c.contains("java") && c.contains(text)) {
                    return pid;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
