package io.fanout.service.subscribe;

import java.util.List;
import java.util.Map;

/**
 * Where a subscription with a cursor starts reading, per partition of its channels.
 *
 * @param start per partition, the first offset to read
 * @param exact per partition, for {@code last=N}: the offsets of exactly the events to send, ascending
 * @param exactEnd per partition with {@code exact}: where ordinary reading resumes after them
 * @param notices frames to send first (truncation, an incomplete {@code last=N} search)
 */
public record StartPlan(
        Map<Integer, Long> start, Map<Integer, List<Long>> exact, Map<Integer, Long> exactEnd, List<Frame> notices) {

    public StartPlan {
        start = Map.copyOf(start);
        exact = Map.copyOf(exact);
        exactEnd = Map.copyOf(exactEnd);
        notices = List.copyOf(notices);
    }
}
