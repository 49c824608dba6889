package io.fanout.ingest.directory;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link ChannelStats} as 77 bytes and the channel's newest block: a format version (4), the partition (int) and
 * nine longs in declaration order, big-endian, then the bytes of {@link ChannelStats#newestBlock()} (none when it
 * is {@code null}). Every event rewrites its channel's value in RocksDB and (after the cache) in the changelog, so
 * the value is cheap to encode. Older formats are still read, so existing state needs no rebuild, each without a
 * newest block: version 3 (77 bytes), version 2 (69 bytes, without {@code mirrored}) with {@code mirrored} 0,
 * version 1 (53 bytes, without the rate bucket either) as {@link ChannelStats#NO_BUCKET}.
 */
final class ChannelStatsSerde implements Serde<ChannelStats> {

    private static final byte VERSION = 4;
    /** The bytes before the newest block; also the size of a value of version 3. */
    static final int SIZE = 1 + Integer.BYTES + 9 * Long.BYTES;

    private static final byte VERSION_3 = 3;
    private static final byte VERSION_2 = 2;
    private static final int SIZE_2 = 1 + Integer.BYTES + 8 * Long.BYTES;
    private static final byte VERSION_1 = 1;
    private static final int SIZE_1 = 1 + Integer.BYTES + 6 * Long.BYTES;

    @Override
    public Serializer<ChannelStats> serializer() {
        return (topic, stats) -> stats == null ? null : encode(stats);
    }

    @Override
    public Deserializer<ChannelStats> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }

    static byte[] encode(ChannelStats stats) {
        byte[] block = stats.newestBlock();
        return ByteBuffer.allocate(SIZE + (block == null ? 0 : block.length))
                .put(VERSION)
                .putInt(stats.partition())
                .putLong(stats.count())
                .putLong(stats.firstOffset())
                .putLong(stats.lastOffset())
                .putLong(stats.firstTimestamp())
                .putLong(stats.lastTimestamp())
                .putLong(stats.indexStart())
                .putLong(stats.rateBucket())
                .putLong(stats.inRateBucket())
                .putLong(stats.mirrored())
                .put(block == null ? new byte[0] : block)
                .array();
    }

    static ChannelStats decode(byte[] bytes) {
        boolean current = bytes.length >= SIZE && bytes[0] == VERSION;
        boolean withMirrored = current || (bytes.length == SIZE && bytes[0] == VERSION_3);
        boolean withBucket = withMirrored || (bytes.length == SIZE_2 && bytes[0] == VERSION_2);
        if (!withBucket && !(bytes.length == SIZE_1 && bytes[0] == VERSION_1)) {
            throw new SerializationException("channel stats of " + bytes.length + " bytes with format version "
                    + (bytes.length > 0 ? bytes[0] : "none") + "; expected at least " + SIZE + " bytes of version "
                    + VERSION + ", " + SIZE + " of version " + VERSION_3 + ", " + SIZE_2 + " of version " + VERSION_2
                    + " or " + SIZE_1 + " of version " + VERSION_1);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        return new ChannelStats(
                buffer.getInt(),
                buffer.getLong(),
                buffer.getLong(),
                buffer.getLong(),
                buffer.getLong(),
                buffer.getLong(),
                buffer.getLong(),
                withBucket ? buffer.getLong() : ChannelStats.NO_BUCKET,
                withBucket ? buffer.getLong() : 0,
                withMirrored ? buffer.getLong() : 0,
                current && bytes.length > SIZE ? Arrays.copyOfRange(bytes, SIZE, bytes.length) : null);
    }
}
