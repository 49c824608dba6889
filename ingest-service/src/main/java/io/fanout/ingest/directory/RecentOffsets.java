package io.fanout.ingest.directory;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The answer of {@code GET /channels/{name}/recent?limit=N}: the offsets of the channel's last
 * {@code min(N, count, fanout.directory.recent-offsets)} events, oldest first and newest last, all in
 * {@code partition}. Fewer offsets than {@code min(N, count)} means the index does not reach back that far
 * (N is above {@code fanout.directory.recent-offsets}); the caller reads the older ones from the log.
 *
 * @param channel the name
 * @param partition the partition of the events topic that holds the channel
 * @param count events published to the channel in all
 * @param offsets the most recent offsets, ascending
 * @param indexedThrough the directory has indexed every record of {@code partition} up to this offset, so a
 *        reader needs to scan only what lies after it (null when not known, e.g. right after a rebalance)
 */
@JsonPropertyOrder({"channel", "partition", "count", "offsets", "indexedThrough"})
record RecentOffsets(String channel, int partition, long count, List<Long> offsets, Long indexedThrough) {

    RecentOffsets withIndexedThrough(Long offset) {
        return new RecentOffsets(channel, partition, count, offsets, offset);
    }
}
