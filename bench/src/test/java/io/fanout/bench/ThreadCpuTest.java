package io.fanout.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void shouldReadThreadIdsAndFullNamesFromAThreadDumpOfEitherJdk() {
        String dump = String.join(
                "\n",
                "\"fanout-directory-0b7c-StreamThread-1\" #61 daemon prio=5 os_prio=0 cpu=812.11ms elapsed=98.20s"
                        + " tid=0x00007f6c2c1d3000 nid=0x6b8c runnable  [0x00007f6bf1dfe000]",
                "   java.lang.Thread.State: RUNNABLE",
                "\"C2 CompilerThread0\" #14 daemon prio=9 os_prio=0 cpu=9921.40ms elapsed=99.10s tid=0x1 nid=27561"
                        + " waiting on condition  [0x0000000000000000]",
                "\"G1 Conc#0\" os_prio=0 cpu=12.50ms elapsed=99.20s tid=0x2 nid=0x10 runnable");
        Map<Long, String> names = new HashMap<>();

        ThreadCpu.parse(dump, names);

        assertEquals(
                Map.of(0x6b8cL, "fanout-directory-0b7c-StreamThread-1", 27561L, "C2 CompilerThread0", 16L, "G1 Conc#0"),
                names);
    }

    @Test
    void shouldGroupTheJitTheCollectorAndTheDirectorysThreads() {
        assertEquals(ThreadCpu.JIT, ThreadCpu.group("C2 CompilerThread0", "fanout-directory"));
        assertEquals(ThreadCpu.JIT, ThreadCpu.group("C1 CompilerThre", "fanout-directory"));
        assertEquals(ThreadCpu.GC, ThreadCpu.group("G1 Refine#0", "fanout-directory"));
        assertEquals(ThreadCpu.GC, ThreadCpu.group("ZWorker#1", "fanout-directory"));
        assertEquals(
                ThreadCpu.DIRECTORY,
                ThreadCpu.group(
                        "kafka-producer-network-thread | fanout-directory-0b7c-StreamThread-1-producer",
                        "fanout-directory"));
        assertEquals(ThreadCpu.DIRECTORY, ThreadCpu.group("rocksdb:low", "fanout-directory"));
        assertEquals(ThreadCpu.REST, ThreadCpu.group("kafka-producer-network-thread | ingest", "fanout-directory"));
        assertEquals(ThreadCpu.REST, ThreadCpu.group("reactor-http-epoll-1", "fanout-directory"));
    }

    @Test
    void shouldCountAThreadsCpuInItsGroupByTheNameTheThreadDumpGives() throws Exception {
        ProcMonitor monitor = new ProcMonitor(List.of(
                new ProcMonitor.Watched("ingest", ProcessHandle.current().pid(), "self")));
        ThreadCpu.Snapshot before = ThreadCpu.Snapshot.take(monitor.watched());
        // longer than the 15 characters Linux keeps of a name: only the thread dump's name says "directory"
        CountDownLatch spun = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread busy = new Thread(
                () -> {
                    spinFor300CpuMillis();
                    spun.countDown();
                    await(release); // alive while its CPU and name are read: /proc forgets a thread that ended
                },
                "test-directory-app-StreamThread-1");
        busy.start();
        spun.await();
        ThreadCpu.Snapshot after = ThreadCpu.Snapshot.take(monitor.watched());
        Map<String, Object> cores;
        try {
            cores = ThreadCpu.cores(before, after, 1.0, "test-directory-app").get("ingest");
        } finally {
            release.countDown();
            busy.join();
        }

        double directory = ((Number) cores.getOrDefault(ThreadCpu.DIRECTORY, 0.0)).doubleValue();
        assertTrue(directory >= 0.25, "the directory group's CPU seconds: " + cores);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void spinFor300CpuMillis() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long x = 0;
        while (threads.getCurrentThreadCpuTime() < 300_000_000L) {
            x += System.nanoTime() % 7;
        }
        if (x == 42) {
            System.out.println(x);
        }
    }
}
