package io.fanout.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where a subscription starts and whom it tells about gaps and connection changes. Start from
 * {@link #live()}, {@link #last(int)}, {@link #from(long)}, {@link #from(String)}, {@link #since(Instant)} or
 * {@link #cursor(List)}, then
 * add callbacks with {@link #onGap(Consumer)} and {@link #onState(Consumer)}.
 *
 * <p>Callbacks run on the client's I/O thread, one at a time per subscription: keep them short.
 *
 * @param cursor      {@code last}, {@code from}, {@code since} or {@code cursor}; null to start live
 * @param cursorValue the cursor's value as the server takes it
 * @param gapHandler  receives each {@link Gap}; null ends the subscription with a {@link GapException} instead
 * @param stateHandler receives each {@link StateChange}; may be null
 * @param seq         the last {@link Event#seq() seq} of each channel and origin an earlier subscription emitted
 *                    ({@code channel~origin~n}, {@link Cursors#seqValues()}), so that repeats and gaps are told from
 *                    the first event on; empty otherwise
 */
public record SubscribeOptions(
        String cursor,
        String cursorValue,
        Consumer<Gap> gapHandler,
        Consumer<StateChange> stateHandler,
        List<String> seq) {

    /** Options without stored seq values. */
    public SubscribeOptions(
            String cursor, String cursorValue, Consumer<Gap> gapHandler, Consumer<StateChange> stateHandler) {
        this(cursor, cursorValue, gapHandler, stateHandler, List.of());
    }

    public SubscribeOptions {
        seq = seq == null ? List.of() : ResumePosition.checkSeqValues(seq);
        if ((cursor == null) != (cursorValue == null)) {
            throw new IllegalArgumentException("a cursor needs a value");
        }
        if (cursor != null && !List.of("last", "from", "since", "cursor").contains(cursor)) {
            throw new IllegalArgumentException("cursor must be last, from, since or cursor, not " + cursor);
        }
    }

    /** Only events published from now on. */
    public static SubscribeOptions live() {
        return new SubscribeOptions(null, null, null, null);
    }

    /** The last {@code n} events of each channel, then live. */
    public static SubscribeOptions last(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("last must not be negative");
        }
        return new SubscribeOptions("last", Integer.toString(n), null, null);
    }

    /** Every event of each channel at or after {@code offset} (an ack's offset, or an event's offset + 1). */
    public static SubscribeOptions from(long offset) {
        return new SubscribeOptions("from", Long.toString(offset), null, null);
    }

    /** A position list {@code p:o,p:o} (the next offset per partition), e.g. {@link GapException#resumeFrom()}. */
    public static SubscribeOptions from(String position) {
        return new SubscribeOptions("from", Objects.requireNonNull(position, "position"), null, null);
    }

    /** Every event published at or after {@code time}. */
    public static SubscribeOptions since(Instant time) {
        return new SubscribeOptions("since", Long.toString(time.toEpochMilli()), null, null);
    }

    /**
     * Right after the events whose {@link Event#cursor() cursors} these are (one per partition, e.g.
     * {@link Cursors#values()}), on any instance of any region; a channel in a partition no cursor names starts at the
     * oldest time the cursors name.
     */
    public static SubscribeOptions cursor(List<String> cursors) {
        return new SubscribeOptions("cursor", String.join(",", Cursors.split(cursors)), null, null);
    }

    /** These options, with {@code handler} receiving gaps instead of the subscription ending on one. */
    public SubscribeOptions onGap(Consumer<Gap> handler) {
        return new SubscribeOptions(cursor, cursorValue, handler, stateHandler, seq);
    }

    /** These options, with {@code handler} receiving every change of connection state. */
    public SubscribeOptions onState(Consumer<StateChange> handler) {
        return new SubscribeOptions(cursor, cursorValue, gapHandler, handler, seq);
    }

    /**
     * These options, with the last seq of each channel and origin an earlier subscription emitted
     * ({@code channel~origin~n}, e.g. {@link Cursors#seqValues()}): sent with the first request, and repeats and gaps
     * are told from the first event on.
     */
    public SubscribeOptions seq(List<String> values) {
        return new SubscribeOptions(cursor, cursorValue, gapHandler, stateHandler, values);
    }
}
