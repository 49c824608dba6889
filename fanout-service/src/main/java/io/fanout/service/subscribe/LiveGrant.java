package io.fanout.service.subscribe;

import io.fanout.service.subscribe.PartitionCursor.Mark;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The live consumer's answer to a request for live frames, made on its thread between two polls.
 *
 * @param liveFrom per origin partition the consumer follows, its position: every frame at or above it is offered to
 *     the subscription from now on; a partition missing here (added later, or a mirror topic that appears later) is
 *     live from offset 0
 * @param pollStart per origin partition, the position before the poll that was under way when the request came
 * @param pollFrames the events of the subscription's channels in that poll, {@code [pollStart, liveFrom)}, in order
 *     per partition (empty unless asked for): a live-only session starts at {@code pollStart} with these, so an event
 *     fetched while it was being set up is not lost
 * @param marks per origin partition, the last Event record below {@code pollStart} (where known): the cursor of a
 *     live-only session before its first event
 */
public record LiveGrant(
        Map<OriginPartition, Long> liveFrom,
        Map<OriginPartition, Long> pollStart,
        List<EventFrame> pollFrames,
        Map<OriginPartition, Mark> marks) {

    public LiveGrant {
        liveFrom = Map.copyOf(liveFrom);
        pollStart = Map.copyOf(pollStart);
        pollFrames = List.copyOf(pollFrames);
        marks = Map.copyOf(marks);
    }

    /** Partitions of the topics as the consumer sees them (every origin's topic has as many). */
    public int partitionCount() {
        return liveFrom.keySet().stream().mapToInt(p -> p.partition() + 1).max().orElse(0);
    }

    /** The origins whose topics the consumer follows. */
    public Set<String> origins() {
        Set<String> origins = new TreeSet<>();
        liveFrom.keySet().forEach(p -> origins.add(p.origin()));
        return origins;
    }
}
