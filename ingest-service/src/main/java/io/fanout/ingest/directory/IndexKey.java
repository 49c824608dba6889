package io.fanout.ingest.directory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the recent-offsets index: the channel name (UTF-8), a 0 byte, then the {@link OffsetBlock} number
 * as 8 big-endian bytes. RocksDB orders keys by unsigned bytes, so one channel's blocks are contiguous and in
 * order (no valid name contains a 0 byte, and 0 sorts below every allowed character, so {@code a} never
 * interleaves with {@code a.b}).
 */
final class IndexKey {

    private IndexKey() {}

    static Bytes of(String channel, long block) {
        byte[] name = channel.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(name.length + 1 + Long.BYTES)
                .put(name)
                .put((byte) 0)
                .putLong(block)
                .array());
    }
}
