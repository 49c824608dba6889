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
        JvmPerfData.Stopped before = JvmPerfData.stopped(SELF);
        assertNotNull(before);

        System.gc();

        JvmPerfData.Stopped gc = JvmPerfData.stopped(SELF).since(before);
        assertTrue(gc.safepoints() > 0, "safepoints " + gc.safepoints());
        assertTrue(gc.millis() > 0, "stopped ms " + gc.millis());
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
