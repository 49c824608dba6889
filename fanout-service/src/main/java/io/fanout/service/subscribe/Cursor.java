package io.fanout.service.subscribe;

import java.util.Map;

/** Where a subscription starts: live only, or history first by one of the contract's cursors. */
public sealed interface Cursor {

    /** Live events only, from the moment of subscribing. */
    record Live() implements Cursor {}

    /** Every event with offset ≥ {@code offset}, in the partition of each channel (this region's own events). */
    record FromOffset(long offset) implements Cursor {}

    /**
     * Every event at or after a position per partition ({@code from=3:1235,7:88}), offsets of this region's own
     * events topic; {@code mirrored} holds the entries of other origins' topics in this region
     * ({@code from=3:1235,r2/3:40}). Partitions not named start live.
     */
    record FromPositions(Map<Integer, Long> nextOffsets, Map<OriginPartition, Long> mirrored) implements Cursor {

        public FromPositions {
            nextOffsets = Map.copyOf(nextOffsets);
            mirrored = Map.copyOf(mirrored);
        }

        public FromPositions(Map<Integer, Long> nextOffsets) {
            this(nextOffsets, Map.of());
        }
    }

    /** The last {@code count} events of each channel. */
    record Last(int count) implements Cursor {}

    /** Every event published at or after {@code epochMillis}. */
    record Since(long epochMillis) implements Cursor {}

    /**
     * Right after the positions of region-independent cursors ({@code cursor=}, or an SSE {@code Last-Event-ID}), one
     * per partition; valid in any region.
     */
    record Resume(Map<Integer, PartitionCursor> partitions) implements Cursor {

        public Resume {
            partitions = Map.copyOf(partitions);
        }

        /** The oldest timestamp any of the cursors names: where origins and partitions they do not name start. */
        public long oldestTimestamp() {
            return partitions.values().stream()
                    .flatMap(c -> c.marks().values().stream())
                    .filter(m -> !m.isBeginning())
                    .mapToLong(PartitionCursor.Mark::timestamp)
                    .min()
                    .orElse(0);
        }
    }
}
