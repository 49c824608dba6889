package io.fanout.ingest.directory;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link ChannelStats} as 53 bytes: a format version (1), the partition (int) and six longs in
 * declaration order, big-endian. Every event rewrites its channel's value in RocksDB and (after the
 * cache) in the changelog, so the value is fixed-size and cheap to encode; the version byte leaves
 * room to change the layout later.
 */
final class ChannelStatsSerde implements Serde<ChannelStats> {

    private static final byte VERSION = 1;
    static final int SIZE = 1 + Integer.BYTES + 6 * Long.BYTES;

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
                .array();
    }

    static ChannelStats decode(byte[] bytes) {
        if (bytes.length != SIZE || bytes[0] != VERSION) {
            throw new SerializationException("channel stats of " + bytes.length + " bytes with format version "
                    + (bytes.length > 0 ? bytes[0] : "none") + "; expected " + SIZE + " bytes of version " + VERSION);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 1, SIZE - 1);
        return new ChannelStats(buffer.getInt(), buffer.getLong(), buffer.getLong(), buffer.getLong(),
                buffer.getLong(), buffer.getLong(), buffer.getLong());
    }
}
