package io.fanout.client;

/**
 * Events the server no longer keeps (its {@code truncated} frame): offsets {@code requested} to {@code earliest - 1}
 * of {@code partition} are gone, and the subscription carries on from {@code earliest}. For a {@code since} time or a
 * resume by cursor the server names a time instead: {@code since} (epoch milliseconds; otherwise -1) and, for a
 * cursor, the {@code origin} region whose events were deleted (otherwise null); {@code requested} is then -1.
 */
public record Gap(int partition, long requested, long earliest, long since, String origin) {

    /** A gap of offsets. */
    public Gap(int partition, long requested, long earliest) {
        this(partition, requested, earliest, -1, null);
    }

    /** How many offsets were skipped (an upper bound on the lost events of the subscribed channels); -1 when unknown. */
    public long missed() {
        return requested < 0 ? -1 : Math.max(0, earliest - requested);
    }
}
