package io.fanout.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The long counters a HotSpot JVM publishes in its performance-data file ({@code /tmp/hsperfdata_<user>/<pid>} on
 * Linux, whatever {@code java.io.tmpdir} says; what {@code jstat} and {@code jcmd PerfCounter.print} read), read from the file without
 * attaching to the JVM. The bench takes the time each platform JVM was stopped at safepoints (garbage-collection
 * pauses above all) from them: a pause stops every thread of that process, so it shows in the publish→deliver tail.
 *
 * <p>The file's layout (version 2): a 32-byte prologue (magic {@code 0xcafec0c0}, the byte order, the version, the
 * offset and number of entries), then entries of {@code entry_length, name_offset, vector_length, data_type, flags,
 * units, variability, data_offset}, each with its NUL-terminated name and its data.
 */
final class JvmPerfData {

    private static final int MAGIC = 0xcafec0c0;

    private JvmPerfData() {}

    /**
     * The scalar long counters of process {@code pid}'s JVM; empty when it has no readable performance-data file (not
     * a HotSpot JVM, another user's, {@code -XX:-UsePerfData}).
     */
    static Map<String, Long> longCounters(long pid) {
        Path file =
                Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name")).resolve(Long.toString(pid));
        try {
            return parse(ByteBuffer.wrap(Files.readAllBytes(file)));
        } catch (IOException | RuntimeException unreadable) {
            return Map.of();
        }
    }

    /** The scalar long counters in a performance-data buffer; throws on a buffer that is not one. */
    static Map<String, Long> parse(ByteBuffer data) {
        data.order(ByteOrder.BIG_ENDIAN);
        if (data.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("not a HotSpot performance-data file");
        }
        data.order(data.get(4) == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if (data.get(5) != 2) {
            throw new IllegalArgumentException("performance-data version " + data.get(5) + " (only 2 is known)");
        }
        int entry = data.getInt(24);
        int entries = data.getInt(28);
        Map<String, Long> counters = new HashMap<>();
        for (int i = 0; i < entries && entry < data.limit(); i++) {
            int length = data.getInt(entry);
            if (length <= 0) {
                break;
            }
            int vectorLength = data.getInt(entry + 8);
            byte type = data.get(entry + 12);
            if (vectorLength == 0 && type == 'J') {
                counters.put(
                        nameAt(data, entry + data.getInt(entry + 4)), data.getLong(entry + data.getInt(entry + 16)));
            }
            entry += length;
        }
        return counters;
    }

    private static String nameAt(ByteBuffer data, int start) {
        int end = start;
        while (data.get(end) != 0) {
            end++;
        }
        byte[] name = new byte[end - start];
        data.get(start, name);
        return new String(name, StandardCharsets.US_ASCII);
    }

    /** Time a JVM spent stopped at safepoints (reaching them and at them), and how many there were. */
    record Stopped(double millis, long safepoints) {

        /** What happened between {@code earlier} and this reading. */
        Stopped since(Stopped earlier) {
            return new Stopped(millis - earlier.millis, safepoints - earlier.safepoints);
        }
    }

    /** What the JVM of {@code pid} has spent stopped since it started; {@code null} when its counters cannot be read. */
    static Stopped stopped(long pid) {
        Map<String, Long> c = longCounters(pid);
        Long frequency = c.get("sun.os.hrt.frequency");
        Long at = c.get("sun.rt.safepointTime");
        Long sync = c.get("sun.rt.safepointSyncTime");
        Long count = c.get("sun.rt.safepoints");
        if (frequency == null || frequency <= 0 || at == null || sync == null || count == null) {
            return null;
        }
        return new Stopped((at + sync) * 1000.0 / frequency, count);
    }
}
