package io.fanout.service.subscribe;

import java.util.Comparator;

/**
 * One partition of one origin region's events: partition {@code partition} of the topic that holds the events
 * published in region {@code origin} (this region's own events topic, or a MirrorMaker 2 copy of another region's).
 * Offsets are only meaningful within one of these, in this region's cluster. Ordered by origin, then partition.
 */
public record OriginPartition(String origin, int partition) implements Comparable<OriginPartition> {

    private static final Comparator<OriginPartition> ORDER =
            Comparator.comparing(OriginPartition::origin).thenComparingInt(OriginPartition::partition);

    public OriginPartition {
        if (origin == null || origin.isEmpty()) {
            throw new IllegalArgumentException("origin must be named");
        }
    }

    @Override
    public int compareTo(OriginPartition other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return origin + "/" + partition;
    }
}
