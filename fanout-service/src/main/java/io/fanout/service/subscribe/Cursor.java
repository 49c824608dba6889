package io.fanout.service.subscribe;

/** Where a subscription starts: live only, or history first by one of the contract's cursors. */
public sealed interface Cursor {

    /** Live events only, from the moment of subscribing. */
    record Live() implements Cursor {
    }

    /** Every event with offset ≥ {@code offset} (in the channel's partition). */
    record FromOffset(long offset) implements Cursor {
    }

    /** The last {@code count} events of each channel. */
    record Last(int count) implements Cursor {
    }

    /** Every event published at or after {@code epochMillis}. */
    record Since(long epochMillis) implements Cursor {
    }
}
