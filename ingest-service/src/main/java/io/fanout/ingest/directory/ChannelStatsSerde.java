package io.fanout.ingest.directory;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link ChannelStats} as 69 bytes: a format version (2), the partition (int) and eight longs in
 * declaration order, big-endian. Every event rewrites its channel's value in RocksDB and (after the
 * cache) in the changelog, so the value is fixed-size and cheap to encode. Version 1 (53 bytes, without
 * the rate bucket) is still read, as {@link ChannelStats#NO_BUCKET}, so existing state needs no rebuild.
 */
final class ChannelStatsSerde implements Serde<ChannelStats> {

    private static final byte VERSION = 2;
    static final int SIZE = 1 + Integer.BYTES + 8 * Long.BYTES;
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
        return ByteBuffer.allocate(SIZE)
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
                .array();
    }

    static ChannelStats decode(byte[] bytes) {
        boolean current = bytes.length == SIZE && bytes[0] == VERSION;
        if (!current && !(bytes.length == SIZE_1 && bytes[0] == VERSION_1)) {
            throw new SerializationException("channel stats of " + bytes.length + " bytes with format version "
                    + (bytes.length > 0 ? bytes[0] : "none") + "; expected " + SIZE + " bytes of version " + VERSION
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
                current ? buffer.getLong() : ChannelStats.NO_BUCKET,
                current ? buffer.getLong() : 0);
    }
}
