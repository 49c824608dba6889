package io.fanout.service.subscribe;

import java.util.List;
import java.util.Map;

/**
 * The live consumer's answer to a request for live frames, made on its thread between two polls.
 *
 * @param liveFrom per partition the consumer follows, its position: every frame at or above it is offered to the
 *     subscription from now on; a partition missing here (added later) is live from offset 0
 * @param pollStart per partition, the position before the poll that was under way when the request came
 * @param pollFrames the events of the subscription's channels in that poll, {@code [pollStart, liveFrom)}, in order
 *     per partition (empty unless asked for): a live-only session starts at {@code pollStart} with these, so an event
 *     fetched while it was being set up is not lost
 */
public record LiveGrant(Map<Integer, Long> liveFrom, Map<Integer, Long> pollStart, List<EventFrame> pollFrames) {

    public LiveGrant {
        liveFrom = Map.copyOf(liveFrom);
        pollStart = Map.copyOf(pollStart);
        pollFrames = List.copyOf(pollFrames);
    }

    /** Partitions of the topic as the consumer sees them. */
    public int partitionCount() {
        return liveFrom.keySet().stream().mapToInt(p -> p + 1).max().orElse(0);
    }
}
