package io.fanout.ingest.directory;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the directory keeps per channel, the value of the {@link DirectoryTopology#STATS_STORE} store.
 * Offsets and timestamps are those of the first and the last event by offset; {@code count} is also the
 * sequence number the next event of the channel gets in the recent-offsets index, and
 * {@code indexStart} the sequence number of the first slot of the oldest {@link OffsetBlock} still in that
 * index. In state kept from before the blocks it is the sequence number of the oldest per-event entry; the
 * blocks from there to the first one written since are simply missing.
 *
 * <p>With mirrored regions ({@code fanout.region.mirrors}) the directory also reads their copies of the events
 * topic: their events are counted in {@code mirrored} and in the rate, never in {@code count}, the offsets or the
 * index, which describe the channel's partition of this region's own events topic. A channel known only from
 * mirrored events has {@code count} 0 and offsets and timestamps {@link #NONE}.
 *
 * <p>The channel's newest rate bucket is counted here ({@code rateBucket}, {@code inRateBucket}) rather
 * than in the {@link DirectoryTopology#RATE_STORE} window store, which receives a bucket only once a newer
 * one starts: this record is rewritten for every event anyway, the window store then is not.
 *
 * @param partition the partition of the channel's events (the one the key hashes to)
 * @param count events of this region seen (from its own events topic)
 * @param firstOffset offset of the first event
 * @param lastOffset offset of the last event
 * @param firstTimestamp record timestamp (epoch ms) of the first event
 * @param lastTimestamp record timestamp (epoch ms) of the last event
 * @param indexStart sequence number where the oldest block kept in the recent-offsets index starts
 * @param rateBucket start (epoch ms) of the newest rate bucket the channel has events in, or
 *        {@link #NO_BUCKET} in state from before the stats kept it (the window store then holds that bucket)
 * @param inRateBucket events in {@code rateBucket}
 * @param mirrored events of other regions seen (from the mirrored copies of their events topics)
 * @param newestBlock the channel's newest {@link OffsetBlock} while it is not full (the block of sequence number
 *        {@code count - 1}), or {@code null}: the block is full and in the index, or the stats are from before
 *        they kept it (then the index holds that block as far as it goes). Kept here because this record is
 *        rewritten for every event anyway; the index gets a block once, when it is full. Never modified.
 */
record ChannelStats(
        int partition,
        long count,
        long firstOffset,
        long lastOffset,
        long firstTimestamp,
        long lastTimestamp,
        long indexStart,
        long rateBucket,
        long inRateBucket,
        long mirrored,
        byte[] newestBlock) {

    static final long NO_BUCKET = Long.MIN_VALUE;

    /** The offsets and timestamps of a channel with no event of this region yet. */
    static final long NONE = -1;

    static ChannelStats first(int partition, long offset, long timestamp, long bucket) {
        return new ChannelStats(partition, 1, offset, offset, timestamp, timestamp, 0, bucket, 1, 0, null);
    }

    /** A channel's statistics after its first event, one of another region. */
    static ChannelStats firstMirrored(int partition, long bucket) {
        return new ChannelStats(partition, 0, NONE, NONE, NONE, NONE, 0, bucket, 1, 1, null);
    }

    /** These statistics after one more event of this region; the rate bucket is left as it was. */
    ChannelStats next(int partition, long offset, long timestamp) {
        return new ChannelStats(
                partition,
                count + 1,
                count == 0 ? offset : firstOffset,
                offset,
                count == 0 ? timestamp : firstTimestamp,
                timestamp,
                indexStart,
                rateBucket,
                inRateBucket,
                mirrored,
                newestBlock);
    }

    /** These statistics after one more event of another region; the rate bucket is left as it was. */
    ChannelStats nextMirrored() {
        return new ChannelStats(
                partition,
                count,
                firstOffset,
                lastOffset,
                firstTimestamp,
                lastTimestamp,
                indexStart,
                rateBucket,
                inRateBucket,
                mirrored + 1,
                newestBlock);
    }

    ChannelStats withIndexStart(long sequence) {
        return new ChannelStats(
                partition,
                count,
                firstOffset,
                lastOffset,
                firstTimestamp,
                lastTimestamp,
                sequence,
                rateBucket,
                inRateBucket,
                mirrored,
                newestBlock);
    }

    ChannelStats withRate(long bucket, long events) {
        return new ChannelStats(
                partition,
                count,
                firstOffset,
                lastOffset,
                firstTimestamp,
                lastTimestamp,
                indexStart,
                bucket,
                events,
                mirrored,
                newestBlock);
    }

    ChannelStats withNewestBlock(byte[] block) {
        return new ChannelStats(
                partition,
                count,
                firstOffset,
                lastOffset,
                firstTimestamp,
                lastTimestamp,
                indexStart,
                rateBucket,
                inRateBucket,
                mirrored,
                block);
    }

    /** Equal statistics: the same figures and a newest block with the same bytes. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ChannelStats o
                && partition == o.partition
                && count == o.count
                && firstOffset == o.firstOffset
                && lastOffset == o.lastOffset
                && firstTimestamp == o.firstTimestamp
                && lastTimestamp == o.lastTimestamp
                && indexStart == o.indexStart
                && rateBucket == o.rateBucket
                && inRateBucket == o.inRateBucket
                && mirrored == o.mirrored
                && Arrays.equals(newestBlock, o.newestBlock);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                                partition,
                                count,
                                firstOffset,
                                lastOffset,
                                firstTimestamp,
                                lastTimestamp,
                                indexStart,
                                rateBucket,
                                inRateBucket,
                                mirrored)
                        * 31
                + Arrays.hashCode(newestBlock);
    }

    @Override
    public String toString() {
        return "ChannelStats[partition=" + partition + ", count=" + count + ", firstOffset=" + firstOffset
                + ", lastOffset=" + lastOffset + ", firstTimestamp=" + firstTimestamp + ", lastTimestamp="
                + lastTimestamp + ", indexStart=" + indexStart + ", rateBucket=" + rateBucket + ", inRateBucket="
                + inRateBucket + ", mirrored=" + mirrored + ", newestBlock="
                + (newestBlock == null ? "none" : newestBlock.length + " bytes") + "]";
    }
}
