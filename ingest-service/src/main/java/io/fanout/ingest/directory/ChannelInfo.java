package io.fanout.ingest.directory;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One channel as {@code GET /channels/{name}} and the items of {@code GET /channels} show it.
 *
 * @param channel the name
 * @param partition the partition of the events topic that holds the channel
 * @param count events published to the channel that the directory has processed: in this region and, with
 *        mirrored regions, in those (as far as MirrorMaker has copied them here)
 * @param mirrored how many of {@code count} were published in another region
 * @param firstOffset offset of the channel's first event in this region's events topic (-1 when it has only
 *        mirrored events)
 * @param lastOffset offset of its last event there (-1 likewise)
 * @param firstTimestamp record timestamp of that first event, epoch milliseconds (-1 likewise)
 * @param lastTimestamp record timestamp of that last event, epoch milliseconds (-1 likewise)
 * @param eventsLastMinute events in the last minute, counted in 10-second buckets: the bucket of now and
 *        the five before it, so between 50 and 60 seconds of history
 * @param ratePerSecond {@code eventsLastMinute} divided by the seconds those buckets cover
 */
@JsonPropertyOrder({
    "channel",
    "partition",
    "count",
    "mirrored",
    "firstOffset",
    "lastOffset",
    "firstTimestamp",
    "lastTimestamp",
    "eventsLastMinute",
    "ratePerSecond"
})
record ChannelInfo(
        String channel,
        int partition,
        long count,
        long mirrored,
        long firstOffset,
        long lastOffset,
        long firstTimestamp,
        long lastTimestamp,
        long eventsLastMinute,
        double ratePerSecond) {}
