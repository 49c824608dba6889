package io.fanout.service.subscribe;

import io.fanout.service.subscribe.PartitionCursor.Mark;
import java.util.List;
import java.util.Map;

/**
 * Where a subscription with a cursor starts reading, per origin partition of its channels.
 *
 * @param start per origin partition, the first offset to read
 * @param exact per origin partition, for {@code last=N}: the offsets of exactly the events to send, ascending
 * @param exactEnd per origin partition with {@code exact}: where ordinary reading resumes after them
 * @param marks per origin partition where known, the last Event record before {@code start} (a {@code cursor=}'s)
 * @param notices frames to send first (truncation, an incomplete {@code last=N} search, a cursor ahead of the region)
 * @param refusal when not {@code null}, the session ends this way right after the notices (a cursor ahead)
 */
public record StartPlan(
        Map<OriginPartition, Long> start,
        Map<OriginPartition, List<Long>> exact,
        Map<OriginPartition, Long> exactEnd,
        Map<OriginPartition, Mark> marks,
        List<Frame> notices,
        SessionEnd refusal) {

    public StartPlan {
        start = Map.copyOf(start);
        exact = Map.copyOf(exact);
        exactEnd = Map.copyOf(exactEnd);
        marks = Map.copyOf(marks);
        notices = List.copyOf(notices);
    }

    public StartPlan(
            Map<OriginPartition, Long> start,
            Map<OriginPartition, List<Long>> exact,
            Map<OriginPartition, Long> exactEnd,
            List<Frame> notices) {
        this(start, exact, exactEnd, Map.of(), notices, null);
    }
}
