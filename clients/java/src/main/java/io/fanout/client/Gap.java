package io.fanout.client;

/**
 * Events that will not come. Either the server says so (its {@code truncated} frame): offsets {@code requested} to
 * {@code earliest - 1} of {@code partition} are gone, and the subscription carries on from {@code earliest}; for a
 * {@code since} time or a resume by cursor the server names a time instead: {@code since} (epoch milliseconds;
 * otherwise -1) and, for a cursor, the {@code origin} region whose events were deleted (otherwise null);
 * {@code requested} is then -1. A platform that numbers each channel's events adds the {@code channel}, {@code lost}
 * (exactly how many of its events were deleted) and {@code firstSeq} (the {@code seq} the channel continues with);
 * otherwise they are null, -1 and -1.
 *
 * <p>Or the client finds it ({@code detected} true): an event's {@link Event#seq() seq} is more than one past the last
 * of its {@code channel} and {@code origin} and no {@code truncated} frame accounted for the difference. Then
 * {@code lost} events are missing, {@code firstSeq} is the arriving event's seq and {@code earliest} its offset
 * ({@link #missing}).
 */
public record Gap(
        int partition,
        long requested,
        long earliest,
        long since,
        String origin,
        String channel,
        long lost,
        long firstSeq,
        boolean detected) {

    /** A gap of offsets. */
    public Gap(int partition, long requested, long earliest) {
        this(partition, requested, earliest, -1, null);
    }

    /** A gap the server reported without per-channel counts. */
    public Gap(int partition, long requested, long earliest, long since, String origin) {
        this(partition, requested, earliest, since, origin, null, -1, -1, false);
    }

    /** {@code count} events of {@code event}'s channel and origin that never came before it (found by their seq). */
    static Gap missing(Event event, long count) {
        return new Gap(
                event.partition(), -1, event.offset(), -1, event.origin(), event.channel(), count, event.seq(), true);
    }

    /**
     * How many events were missed: exactly {@code lost} when known, else how many offsets were skipped (an upper bound
     * on the lost events of the subscribed channels); -1 when unknown.
     */
    public long missed() {
        if (lost >= 0) {
            return lost;
        }
        return requested < 0 ? -1 : Math.max(0, earliest - requested);
    }
}
