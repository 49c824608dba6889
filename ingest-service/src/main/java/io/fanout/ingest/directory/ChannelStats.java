package io.fanout.ingest.directory;

/**
 * What the directory keeps per channel, the value of the {@link DirectoryTopology#STATS_STORE} store.
 * Offsets and timestamps are those of the first and the last event by offset; {@code count} is also the
 * sequence number the next event of the channel gets in the recent-offsets index, and
 * {@code indexStart} the sequence number of the first slot of the oldest {@link OffsetBlock} still in that
 * index. In state kept from before the blocks it is the sequence number of the oldest per-event entry; the
 * blocks from there to the first one written since are simply missing.
 *
 * @param partition the partition of the channel's events (the one the key hashes to)
 * @param count events seen
 * @param firstOffset offset of the first event
 * @param lastOffset offset of the last event
 * @param firstTimestamp record timestamp (epoch ms) of the first event
 * @param lastTimestamp record timestamp (epoch ms) of the last event
 * @param indexStart sequence number where the oldest block kept in the recent-offsets index starts
 */
record ChannelStats(int partition, long count, long firstOffset, long lastOffset, long firstTimestamp,
        long lastTimestamp, long indexStart) {

    static ChannelStats first(int partition, long offset, long timestamp) {
        return new ChannelStats(partition, 1, offset, offset, timestamp, timestamp, 0);
    }

    /** These statistics after one more event. */
    ChannelStats next(int partition, long offset, long timestamp) {
        return new ChannelStats(partition, count + 1, firstOffset, offset, firstTimestamp, timestamp, indexStart);
    }

    ChannelStats withIndexStart(long sequence) {
        return new ChannelStats(partition, count, firstOffset, lastOffset, firstTimestamp, lastTimestamp, sequence);
    }
}
