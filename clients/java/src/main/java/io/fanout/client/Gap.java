package io.fanout.client;

/**
 * Events the server no longer keeps (its {@code truncated} frame): offsets {@code requested} to {@code earliest - 1}
 * of {@code partition} are gone, and the subscription carries on from {@code earliest}.
 */
public record Gap(int partition, long requested, long earliest) {

    /** How many offsets were skipped: an upper bound on the lost events of the subscribed channels. */
    public long missed() {
        return Math.max(0, earliest - requested);
    }
}
