package io.fanout.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JvmPerfDataTest {

    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void shouldReadThisJvmsOwnCountersFromItsPerformanceDataFile() {
        Map<String, Long> counters = JvmPerfData.longCounters(SELF);

        assertEquals(1_000_000_000L, counters.get("sun.os.hrt.frequency"), "Linux's high-resolution clock ticks in ns");
        long started = ManagementFactory.getRuntimeMXBean().getStartTime();
        long createdAt = counters.get("sun.rt.createVmBeginTime");
        assertTrue(Math.abs(createdAt - started) < 60_000, "VM creation time " + createdAt + " vs start " + started);
    }

    @Test
    void shouldCountTheSafepointOfAnExplicitCollection() {
        double[] before = JvmPerfData.stopped(SELF);
        assertNotNull(before);

        System.gc();

        double[] after = JvmPerfData.stopped(SELF);
        assertTrue(after[1] > before[1], "safepoints " + before[1] + " -> " + after[1]);
        assertTrue(after[0] > before[0], "stopped ms " + before[0] + " -> " + after[0]);
    }

    @Test
    void shouldHaveNoCountersForAProcessThatIsNotAJvm() {
        assertEquals(Map.of(), JvmPerfData.longCounters(1L << 40));
        assertNull(JvmPerfData.stopped(1L << 40));
    }

    @Test
    void shouldRefuseABufferThatIsNotPerformanceData() {
        ByteBuffer garbage = ByteBuffer.wrap(new byte[64]);

        assertThrows(IllegalArgumentException.class, () -> JvmPerfData.parse(garbage));
    }
}
