package io.fanout.service.replay;

import io.fanout.service.subscribe.ControlFrame;
import io.fanout.service.subscribe.Cursor;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.StartPlan;
import io.fanout.service.subscribe.TruncationNotice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a cursor starts, per partition: a pure function of the cursor and what Kafka said about the partitions, so
 * every rule is tested without a broker ({@code ReplayPlannerTest}). The Kafka I/O around it is in
 * {@link LogReaders}; {@code last=N} offsets come from {@link LastEventsLocator}.
 * <ul>
 *   <li>{@code from=O} / {@code from=p:o,…}: from that offset; below the log start, from the log start with a
 *       {@code truncated} notice; a partition a position list does not name starts at its end (live);</li>
 *   <li>{@code since=T}: from the first offset at or after T; a {@code truncated} notice when records were deleted
 *       from the partition and the first kept one is that offset (the deleted ones may have been at or after T);
 *       none at or after T: from the end;</li>
 *   <li>{@code last=N}: exactly the located offsets, then everything from where the search ended; a
 *       {@code last-incomplete} notice when the search stopped at its bounds.</li>
 * </ul>
 */
final class ReplayPlanner {

    private ReplayPlanner() {}

    /** A partition's first kept offset and its end (the next offset to be written). */
    record PartitionOffsets(long begin, long end) {}

    /** The first record at or after a time: its offset and timestamp. */
    record TimeLookup(long offset, long timestamp) {}

    /**
     * The last events of a partition's channels.
     *
     * @param offsets their offsets, ascending
     * @param through where the search covered the log up to (events from there on are read normally)
     * @param complete whether the search answered within its bounds
     */
    record LocatedLast(List<Long> offsets, long through, boolean complete) {

        LocatedLast {
            offsets = List.copyOf(offsets);
        }
    }

    /**
     * @param partitions the partitions to plan: those of the subscription's channels (and any a position list names)
     * @param offsets begin and end of each of them
     * @param since for {@code since=}: per partition the first record at or after the time (absent: none)
     * @param last for {@code last=N}: per partition the located offsets
     */
    static StartPlan plan(
            Cursor cursor,
            Set<Integer> partitions,
            Map<Integer, PartitionOffsets> offsets,
            Map<Integer, TimeLookup> since,
            Map<Integer, LocatedLast> last) {
        Map<Integer, Long> start = new HashMap<>();
        Map<Integer, List<Long>> exact = new HashMap<>();
        Map<Integer, Long> exactEnd = new HashMap<>();
        List<Frame> notices = new ArrayList<>();
        for (int partition : new TreeSet<>(partitions)) {
            PartitionOffsets bounds = offsets.get(partition);
            if (bounds == null) {
                throw new IllegalArgumentException("no offsets for partition " + partition);
            }
            if (cursor instanceof Cursor.FromOffset from) {
                start.put(partition, fromOffset(partition, from.offset(), bounds, notices));
            } else if (cursor instanceof Cursor.FromPositions from) {
                Long requested = from.nextOffsets().get(partition);
                start.put(
                        partition,
                        requested == null ? bounds.end() : fromOffset(partition, requested, bounds, notices));
            } else if (cursor instanceof Cursor.Since from) {
                TimeLookup found = since.get(partition);
                if (found == null) {
                    start.put(partition, bounds.end());
                } else {
                    if (bounds.begin() > 0 && found.offset() <= bounds.begin()) {
                        notices.add(TruncationNotice.ofSince(partition, from.epochMillis(), bounds.begin()));
                    }
                    start.put(partition, Math.max(found.offset(), bounds.begin()));
                }
            } else if (cursor instanceof Cursor.Last wanted) {
                LocatedLast located = last.get(partition);
                if (located == null) {
                    throw new IllegalArgumentException("no last=N offsets for partition " + partition);
                }
                List<Long> kept = located.offsets().stream()
                        .filter(o -> o >= bounds.begin() && o < located.through())
                        .toList();
                if (!located.complete()) {
                    notices.add(ControlFrame.lastIncomplete(partition, wanted.count(), kept.size()));
                }
                if (kept.isEmpty()) {
                    start.put(partition, Math.max(located.through(), bounds.begin()));
                } else {
                    start.put(partition, kept.get(0));
                    exact.put(partition, kept);
                    exactEnd.put(partition, located.through());
                }
            } else {
                start.put(partition, bounds.end());
            }
        }
        return new StartPlan(start, exact, exactEnd, notices);
    }

    private static long fromOffset(int partition, long requested, PartitionOffsets bounds, List<Frame> notices) {
        if (requested < bounds.begin()) {
            notices.add(TruncationNotice.ofOffset(partition, requested, bounds.begin()));
            return bounds.begin();
        }
        return requested;
    }
}
