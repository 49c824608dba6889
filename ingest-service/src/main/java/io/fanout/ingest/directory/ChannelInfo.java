package io.fanout.ingest.directory;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One channel as {@code GET /channels/{name}} and the items of {@code GET /channels} show it.
 *
 * @param channel the name
 * @param partition the partition of the events topic that holds the channel
 * @param count events published to the channel (that the directory has processed)
 * @param firstOffset offset of the channel's first event
 * @param lastOffset offset of its last event
 * @param firstTimestamp record timestamp of the first event, epoch milliseconds
 * @param lastTimestamp record timestamp of the last event, epoch milliseconds
 * @param eventsLastMinute events in the last minute, counted in 10-second buckets: the bucket of now and
 *        the five before it, so between 50 and 60 seconds of history
 * @param ratePerSecond {@code eventsLastMinute} divided by the seconds those buckets cover
 */
@JsonPropertyOrder({
    "channel",
    "partition",
    "count",
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
        long firstOffset,
        long lastOffset,
        long firstTimestamp,
        long lastTimestamp,
        long eventsLastMinute,
        double ratePerSecond) {}
