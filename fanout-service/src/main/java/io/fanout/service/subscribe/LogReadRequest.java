package io.fanout.service.subscribe;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one log read for a subscription is to fetch; a snapshot, immutable.
 *
 * @param channels the subscription's channels; records with another key, or none, are not theirs
 * @param from per partition, the next offset the subscription has not handed to its client
 * @param upTo per partition, where live frames take over (read below it only); {@code null}: read to the log end
 * @param exact per partition, the offsets of exactly the events to send ({@code last=N}), ascending; then
 *     everything from {@code exactEnd} on
 * @param exactEnd per partition with {@code exact} offsets, where ordinary reading resumes after them
 * @param notBeforeNanos {@link System#nanoTime()} before which the read must not run (pacing)
 */
public record LogReadRequest(
        Set<String> channels,
        Map<Integer, Long> from,
        Map<Integer, Long> upTo,
        Map<Integer, List<Long>> exact,
        Map<Integer, Long> exactEnd,
        long notBeforeNanos) {}
