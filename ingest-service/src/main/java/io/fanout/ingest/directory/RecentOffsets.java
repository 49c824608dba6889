package io.fanout.ingest.directory;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The answer of {@code GET /channels/{name}/recent?limit=N}: the offsets of the channel's last
 * {@code min(N, count, fanout.directory.recent-offsets)} events up to {@code indexedThrough}, oldest first
 * and newest last, all in {@code partition}. Fewer offsets than {@code min(N, count)} means the index does
 * not reach back that far (N is above {@code fanout.directory.recent-offsets}); the caller reads the older
 * ones from the log.
 *
 * @param channel the name
 * @param partition the partition of the events topic that holds the channel
 * @param count events of the channel in this region's events topic up to {@code indexedThrough} (other regions'
 *        events, which the directory also counts with mirrors, have no offsets here)
 * @param offsets the most recent offsets, ascending
 * @param indexedThrough the last offset of {@code partition} (a record of any channel) the directory had
 *        processed when it answered; {@code count} and {@code offsets} are complete up to there, so a reader
 *        looking for newer events of the channel scans only from {@code indexedThrough + 1}. {@code null}
 *        when not known (state restored from a directory version that did not keep it, until the next record)
 */
@JsonPropertyOrder({"channel", "partition", "count", "offsets", "indexedThrough"})
record RecentOffsets(String channel, int partition, long count, List<Long> offsets, Long indexedThrough) {}
