package io.fanout.ingest.directory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the recent-offsets index: the channel name (UTF-8), a 0 byte, then the event's sequence number
 * within its channel as 8 big-endian bytes. RocksDB orders keys by unsigned bytes, so one channel's
 * entries are contiguous and in sequence order (no valid name contains a 0 byte, and 0 sorts below every
 * allowed character, so {@code a} never interleaves with {@code a.b}); a range scan between two keys of a
 * channel reads exactly that channel's offsets, oldest first.
 */
final class IndexKey {

    private IndexKey() {
    }

    static Bytes of(String channel, long sequence) {
        byte[] name = channel.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(name.length + 1 + Long.BYTES)
                .put(name)
                .put((byte) 0)
                .putLong(sequence)
                .array());
    }
}
