package io.fanout.service.subscribe;

import io.fanout.service.subscribe.PartitionCursor.Mark;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one log read for a subscription is to fetch; a snapshot, immutable.
 *
 * @param channels the subscription's channels; records with another key, or none, are not theirs
 * @param from per origin partition, the next offset the subscription has not handed to its client
 * @param upTo per origin partition, where live frames take over (read below it only); {@code null}: read to the log
 *     end
 * @param exact per origin partition, the offsets of exactly the events to send ({@code last=N}), ascending; then
 *     everything from {@code exactEnd} on
 * @param exactEnd per origin partition with {@code exact} offsets, where ordinary reading resumes after them
 * @param marks per origin partition, the last Event record below {@code from} as far as the subscription knows it (a
 *     partition missing here is looked up by the reader: the record before {@code from})
 * @param notBeforeNanos {@link System#nanoTime()} before which the read must not run (pacing)
 */
public record LogReadRequest(
        Set<String> channels,
        Map<OriginPartition, Long> from,
        Map<OriginPartition, Long> upTo,
        Map<OriginPartition, List<Long>> exact,
        Map<OriginPartition, Long> exactEnd,
        Map<OriginPartition, Mark> marks,
        long notBeforeNanos) {}
