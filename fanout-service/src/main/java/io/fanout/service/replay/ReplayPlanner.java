package io.fanout.service.replay;

import io.fanout.service.subscribe.ControlFrame;
import io.fanout.service.subscribe.Cursor;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.OriginPartition;
import io.fanout.service.subscribe.PartitionCursor;
import io.fanout.service.subscribe.PartitionCursor.Mark;
import io.fanout.service.subscribe.SessionEnd;
import io.fanout.service.subscribe.StartPlan;
import io.fanout.service.subscribe.TruncationNotice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a cursor starts, per origin partition: a pure function of the cursor and what Kafka said about the
 * partitions, so every rule is tested without a broker ({@code ReplayPlannerTest}). The Kafka I/O around it is in
 * {@link LogReaders}; {@code last=N} offsets come from {@link LastEventsLocator}. {@code from}, {@code last} and the
 * offsets of a position list name this region's own events topic ({@code home}); the partitions of another origin's
 * topic mirrored here start at their end (live) unless a position list names them.
 * <ul>
 *   <li>{@code from=O} / {@code from=p:o,…}: from that offset; below the log start, from the log start with a
 *       {@code truncated} notice; a partition a position list does not name starts at its end (live);</li>
 *   <li>{@code since=T}: from the first offset at or after T, in every origin's topic; a {@code truncated} notice when
 *       records were deleted from the partition and the first kept one is that offset (the deleted ones may have been
 *       at or after T); none at or after T: from the end;</li>
 *   <li>{@code last=N}: exactly the located offsets, then everything from where the search ended; a
 *       {@code last-incomplete} notice when the search stopped at its bounds;</li>
 *   <li>{@code cursor=}: per origin the cursor names, right after its event (found by id); an event that has left this
 *       region by retention (not found, and the first kept record is later than its time): a {@code truncated} notice
 *       with the origin, then from the log start; an event not here yet (not found up to the log end): a
 *       {@code cursor-ahead} notice and the session ends ({@link SessionEnd.Reason#CURSOR_AHEAD}); an origin named
 *       "from its beginning": from the log start; an origin or partition the cursor does not name: from the first
 *       record at or after the cursor's oldest time ({@code since}).</li>
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
     * What the search for a cursor's event in one origin partition found.
     *
     * @param offset where the event is ({@link Outcome#FOUND})
     * @param firstKeptTimestamp the timestamp of the partition's first kept record, or {@code -1} when it holds none
     */
    record CursorLookup(Outcome outcome, long offset, long firstKeptTimestamp) {

        enum Outcome {
            /** The event is at {@code offset}. */
            FOUND,
            /** Read up to the log end from the event's time: not there. */
            NOT_FOUND,
            /** The search stopped at its bound before the log end. */
            CUT
        }

        static CursorLookup found(long offset) {
            return new CursorLookup(Outcome.FOUND, offset, -1);
        }

        static CursorLookup notFound(long firstKeptTimestamp) {
            return new CursorLookup(Outcome.NOT_FOUND, -1, firstKeptTimestamp);
        }

        static CursorLookup cut() {
            return new CursorLookup(Outcome.CUT, -1, -1);
        }
    }

    /** What Kafka said about the partitions to plan; the maps name only what the cursor needs. */
    record Facts(
            Map<OriginPartition, PartitionOffsets> offsets,
            Map<OriginPartition, TimeLookup> since,
            Map<OriginPartition, LocatedLast> last,
            Map<OriginPartition, CursorLookup> found) {}

    /**
     * @param home this region's alias: the origin whose topic offsets {@code from}, {@code last} name
     * @param partitions the origin partitions to plan: those of the subscription's channels in every origin's topic
     *     (and any a position list names)
     * @param facts begin and end of each of them; for {@code since=} (and a {@code cursor=}'s unnamed origins, at its
     *     oldest time) the first record at or after the time (absent: none); for {@code last=N} the located offsets;
     *     for {@code cursor=} where its named events are
     */
    static StartPlan plan(Cursor cursor, String home, Set<OriginPartition> partitions, Facts facts) {
        Map<OriginPartition, Long> start = new HashMap<>();
        Map<OriginPartition, List<Long>> exact = new HashMap<>();
        Map<OriginPartition, Long> exactEnd = new HashMap<>();
        Map<OriginPartition, Mark> marks = new HashMap<>();
        List<Frame> notices = new ArrayList<>();
        SessionEnd refusal = null;
        for (OriginPartition at : new TreeSet<>(partitions)) {
            PartitionOffsets bounds = facts.offsets().get(at);
            if (bounds == null) {
                throw new IllegalArgumentException("no offsets for " + at);
            }
            boolean own = at.origin().equals(home);
            String region = own ? null : at.origin();
            int partition = at.partition();
            if (cursor instanceof Cursor.FromOffset from) {
                start.put(at, own ? fromOffset(at, from.offset(), bounds, notices, region) : bounds.end());
            } else if (cursor instanceof Cursor.FromPositions from) {
                Long requested = own
                        ? from.nextOffsets().get(partition)
                        : from.mirrored().get(at);
                start.put(at, requested == null ? bounds.end() : fromOffset(at, requested, bounds, notices, region));
            } else if (cursor instanceof Cursor.Since from) {
                start.put(at, since(at, from.epochMillis(), bounds, facts, notices, region));
            } else if (cursor instanceof Cursor.Last wanted && own) {
                LocatedLast located = facts.last().get(at);
                if (located == null) {
                    throw new IllegalArgumentException("no last=N offsets for " + at);
                }
                List<Long> kept = located.offsets().stream()
                        .filter(o -> o >= bounds.begin() && o < located.through())
                        .toList();
                if (!located.complete()) {
                    notices.add(ControlFrame.lastIncomplete(partition, wanted.count(), kept.size()));
                }
                if (kept.isEmpty()) {
                    start.put(at, Math.max(located.through(), bounds.begin()));
                } else {
                    start.put(at, kept.get(0));
                    exact.put(at, kept);
                    exactEnd.put(at, located.through());
                }
            } else if (cursor instanceof Cursor.Resume resume) {
                PartitionCursor named = resume.partitions().get(partition);
                Mark mark = named == null ? null : named.marks().get(at.origin());
                if (mark == null) {
                    start.put(at, sinceQuietly(at, bounds, facts));
                } else if (mark.isBeginning()) {
                    start.put(at, bounds.begin());
                    if (bounds.begin() == 0) {
                        marks.put(at, Mark.BEGINNING);
                    }
                } else {
                    CursorLookup lookup = facts.found().get(at);
                    if (lookup == null) {
                        throw new IllegalArgumentException("no cursor lookup for " + at);
                    }
                    switch (lookup.outcome()) {
                        case FOUND -> {
                            start.put(at, lookup.offset() + 1);
                            marks.put(at, mark);
                        }
                        case NOT_FOUND -> {
                            if (bounds.begin() > 0
                                    && (lookup.firstKeptTimestamp() < 0
                                            || lookup.firstKeptTimestamp() > mark.timestamp())) {
                                notices.add(TruncationNotice.ofSince(partition, mark.timestamp(), bounds.begin())
                                        .from(at.origin()));
                                start.put(at, bounds.begin());
                            } else {
                                notices.add(ControlFrame.cursorAhead(
                                        at.origin(),
                                        partition,
                                        "the cursor's event of " + at.origin()
                                                + " has not reached this region yet; retry with the same cursor, or"
                                                + " resume in region " + at.origin()));
                                refusal = new SessionEnd(
                                        SessionEnd.Reason.CURSOR_AHEAD,
                                        "cursor ahead of this region (" + at.origin()
                                                + "); retry with the same cursor");
                                start.put(at, bounds.end());
                            }
                        }
                        case CUT -> {
                            refusal = refusal != null
                                    ? refusal
                                    : new SessionEnd(
                                            SessionEnd.Reason.LOG_UNAVAILABLE,
                                            "cursor's event not found within the lookup bound; retry shortly");
                            start.put(at, bounds.end());
                        }
                    }
                }
            } else {
                start.put(at, bounds.end());
            }
        }
        return new StartPlan(start, exact, exactEnd, marks, notices, refusal);
    }

    private static long since(
            OriginPartition at,
            long epochMillis,
            PartitionOffsets bounds,
            Facts facts,
            List<Frame> notices,
            String region) {
        TimeLookup found = facts.since().get(at);
        if (found == null) {
            return bounds.end();
        }
        if (bounds.begin() > 0 && found.offset() <= bounds.begin()) {
            notices.add(TruncationNotice.ofSince(at.partition(), epochMillis, bounds.begin())
                    .from(region));
        }
        return Math.max(found.offset(), bounds.begin());
    }

    private static long sinceQuietly(OriginPartition at, PartitionOffsets bounds, Facts facts) {
        TimeLookup found = facts.since().get(at);
        return found == null ? bounds.end() : Math.max(found.offset(), bounds.begin());
    }

    private static long fromOffset(
            OriginPartition at, long requested, PartitionOffsets bounds, List<Frame> notices, String region) {
        if (requested < bounds.begin()) {
            notices.add(TruncationNotice.ofOffset(at.partition(), requested, bounds.begin())
                    .from(region));
            return bounds.begin();
        }
        return requested;
    }
}
