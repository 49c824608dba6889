package io.fanout.service.subscribe;

/** Where a subscription starts: live only, or history first by one of the contract's cursors. */
public sealed interface Cursor {

    /** Live events only, from the moment of subscribing. */
    record Live() implements Cursor {}

    /** Every event with offset ≥ {@code offset}, in the partition of each channel. */
    record FromOffset(long offset) implements Cursor {}

    /**
     * Every event at or after a position per partition ({@code from=3:1235,7:88}, also an SSE event id).
     * Partitions not named start live.
     */
    record FromPositions(java.util.Map<Integer, Long> nextOffsets) implements Cursor {

        public FromPositions {
            nextOffsets = java.util.Map.copyOf(nextOffsets);
        }
    }

    /** The last {@code count} events of each channel. */
    record Last(int count) implements Cursor {}

    /** Every event published at or after {@code epochMillis}. */
    record Since(long epochMillis) implements Cursor {}
}
