package io.fanout.service.subscribe;

/**
 * One partition of one origin region's events: partition {@code partition} of the topic that holds the events
 * published in region {@code origin} (this region's own events topic, or a MirrorMaker 2 copy of another region's).
 * Offsets are only meaningful within one of these, in this region's cluster. Ordered by origin, then partition.
 */
public record OriginPartition(String origin, int partition) implements Comparable<OriginPartition> {

    public OriginPartition {
        if (origin == null || origin.isEmpty()) {
            throw new IllegalArgumentException("origin must be named");
        }
    }

    // Written out, not the record's generated equals and hashCode and a Comparator chain: every delivery looks its
    // partition up in its session's maps (Subscription#advance).

    @Override
    public boolean equals(Object other) {
        return this == other
                || other instanceof OriginPartition that && partition == that.partition && origin.equals(that.origin);
    }

    @Override
    public int hashCode() {
        return 31 * origin.hashCode() + partition;
    }

    @Override
    public int compareTo(OriginPartition other) {
        int byOrigin = origin == other.origin ? 0 : origin.compareTo(other.origin);
        return byOrigin != 0 ? byOrigin : Integer.compare(partition, other.partition);
    }

    @Override
    public String toString() {
        return origin + "/" + partition;
    }
}
