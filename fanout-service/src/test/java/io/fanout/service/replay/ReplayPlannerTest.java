package io.fanout.service.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.service.replay.ReplayPlanner.LocatedLast;
import io.fanout.service.replay.ReplayPlanner.PartitionOffsets;
import io.fanout.service.replay.ReplayPlanner.TimeLookup;
import io.fanout.service.subscribe.ControlFrame;
import io.fanout.service.subscribe.Cursor;
import io.fanout.service.subscribe.OriginPartition;
import io.fanout.service.subscribe.StartPlan;
import io.fanout.service.subscribe.TruncationNotice;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The planner without a broker: every cursor kind, truncation, empty partitions, several channels per partition. */
class ReplayPlannerTest {

    private static final Map<Integer, PartitionOffsets> OFFSETS = Map.of(
            0, new PartitionOffsets(0, 100),
            1, new PartitionOffsets(40, 90),
            2, new PartitionOffsets(7, 7)); // records once, all deleted: no events

    private static final String HOME = "r1";

    /** A plan of this region's own topic, keyed by partition as the single-region rules read. */
    private record Plan(
            Map<Integer, Long> start,
            Map<Integer, List<Long>> exact,
            Map<Integer, Long> exactEnd,
            List<io.fanout.service.subscribe.Frame> notices) {}

    private static Plan plan(Cursor cursor, Set<Integer> partitions) {
        return plan(cursor, partitions, OFFSETS, Map.of(), Map.of());
    }

    private static Plan plan(
            Cursor cursor,
            Set<Integer> partitions,
            Map<Integer, PartitionOffsets> offsets,
            Map<Integer, TimeLookup> since,
            Map<Integer, LocatedLast> last) {
        StartPlan plan = ReplayPlanner.plan(
                cursor,
                HOME,
                partitions.stream().map(ReplayPlannerTest::ownPartition).collect(Collectors.toSet()),
                new ReplayPlanner.Facts(own(offsets), own(since), own(last), Map.of()));
        return new Plan(
                byPartition(plan.start()), byPartition(plan.exact()), byPartition(plan.exactEnd()), plan.notices());
    }

    private static OriginPartition ownPartition(int partition) {
        return new OriginPartition(HOME, partition);
    }

    private static <V> Map<OriginPartition, V> own(Map<Integer, V> byPartition) {
        Map<OriginPartition, V> mapped = new HashMap<>();
        byPartition.forEach((partition, value) -> mapped.put(ownPartition(partition), value));
        return mapped;
    }

    private static <V> Map<Integer, V> byPartition(Map<OriginPartition, V> byOrigin) {
        Map<Integer, V> mapped = new HashMap<>();
        byOrigin.forEach((at, value) -> {
            assertThat(at.origin()).isEqualTo(HOME);
            mapped.put(at.partition(), value);
        });
        return mapped;
    }

    private static String text(Object frame) {
        return frame instanceof ControlFrame control
                ? new String(control.json(), StandardCharsets.UTF_8)
                : new String(((TruncationNotice) frame).json(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldStartAFromOffsetWhereItSaysWhenTheLogStillHasIt() {
        Plan plan = plan(new Cursor.FromOffset(50), Set.of(0, 1));
        assertThat(plan.start()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 50L, 1, 50L));
        assertThat(plan.notices()).isEmpty();
        assertThat(plan.exact()).isEmpty();
    }

    @Test
    void shouldSayWhenAFromOffsetIsOlderThanTheLogAndStartAtTheEarliest() {
        Plan plan = plan(new Cursor.FromOffset(10), Set.of(0, 1));
        assertThat(plan.start()).containsEntry(0, 10L).containsEntry(1, 40L);
        assertThat(plan.notices()).containsExactly(TruncationNotice.ofOffset(1, 10, 40));
        assertThat(text(plan.notices().get(0)))
                .isEqualTo("{\"type\":\"truncated\",\"partition\":1,\"requested\":10,\"earliest\":40}");
    }

    @Test
    void shouldKeepAFromOffsetPastTheEndSoOnlyLaterEventsAreSent() {
        assertThat(plan(new Cursor.FromOffset(500), Set.of(0)).start()).containsEntry(0, 500L);
    }

    @Test
    void shouldStartPartitionsAPositionListDoesNotNameAtTheirEnd() {
        Plan plan = plan(new Cursor.FromPositions(Map.of(0, 60L, 1, 5L)), Set.of(0, 1, 2));
        assertThat(plan.start()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 60L, 1, 40L, 2, 7L));
        assertThat(plan.notices()).containsExactly(TruncationNotice.ofOffset(1, 5, 40));
    }

    @Test
    void shouldStartASinceAtTheFirstRecordAtOrAfterItsTime() {
        Plan plan = plan(
                new Cursor.Since(1_000),
                Set.of(0, 1),
                OFFSETS,
                Map.of(0, new TimeLookup(30, 1_005), 1, new TimeLookup(70, 1_001)),
                Map.of());
        assertThat(plan.start()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 30L, 1, 70L));
        assertThat(plan.notices()).isEmpty();
    }

    @Test
    void shouldSayWhenASinceIsOlderThanTheEarliestKeptRecordOfAPartitionWithDeletedRecords() {
        Plan plan = plan(
                new Cursor.Since(1_000),
                Set.of(0, 1),
                OFFSETS,
                Map.of(0, new TimeLookup(0, 1_500), 1, new TimeLookup(40, 1_500)),
                Map.of());
        assertThat(plan.start()).containsEntry(0, 0L).containsEntry(1, 40L);
        // partition 0 never lost a record; partition 1 did, and they may have been at or after the time
        assertThat(plan.notices()).containsExactly(TruncationNotice.ofSince(1, 1_000, 40));
        assertThat(text(plan.notices().get(0)))
                .isEqualTo("{\"type\":\"truncated\",\"partition\":1,\"since\":1000,\"earliest\":40}");
    }

    @Test
    void shouldStartASinceWithNoRecordAtOrAfterItsTimeAtTheEnd() {
        Plan plan = plan(new Cursor.Since(9_999), Set.of(0, 2), OFFSETS, Map.of(), Map.of());
        assertThat(plan.start()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 100L, 2, 7L));
        assertThat(plan.notices()).isEmpty();
    }

    @Test
    void shouldReadExactlyTheLocatedLastEventsThenResumeWhereTheSearchEnded() {
        Plan plan = plan(
                new Cursor.Last(3),
                Set.of(0),
                OFFSETS,
                Map.of(),
                Map.of(0, new LocatedLast(List.of(12L, 55L, 98L), 100, true)));
        assertThat(plan.start()).containsEntry(0, 12L);
        assertThat(plan.exact()).containsEntry(0, List.of(12L, 55L, 98L));
        assertThat(plan.exactEnd()).containsEntry(0, 100L);
        assertThat(plan.notices()).isEmpty();
    }

    @Test
    void shouldMergeTheLastEventsOfSeveralChannelsInOnePartition() {
        // the locator answers per partition: two channels' last events, merged ascending
        Plan plan = plan(
                new Cursor.Last(2),
                Set.of(1),
                OFFSETS,
                Map.of(),
                Map.of(1, new LocatedLast(List.of(41L, 44L, 60L, 88L), 90, true)));
        assertThat(plan.exact()).containsEntry(1, List.of(41L, 44L, 60L, 88L));
        assertThat(plan.start()).containsEntry(1, 41L);
    }

    @Test
    void shouldSayWhenTheLastSearchStoppedAtItsBoundsAndKeepTheNewestItFound() {
        Plan plan = plan(
                new Cursor.Last(5),
                Set.of(0),
                OFFSETS,
                Map.of(),
                Map.of(0, new LocatedLast(List.of(97L, 99L), 100, false)));
        assertThat(plan.exact()).containsEntry(0, List.of(97L, 99L));
        assertThat(text(plan.notices().get(0)))
                .isEqualTo("{\"type\":\"last-incomplete\",\"partition\":0,\"requested\":5,\"found\":2}");
    }

    @Test
    void shouldStartAnEmptyLastAtWhereTheSearchEnded() {
        Plan plan =
                plan(new Cursor.Last(5), Set.of(2), OFFSETS, Map.of(), Map.of(2, new LocatedLast(List.of(), 7, true)));
        assertThat(plan.start()).containsEntry(2, 7L);
        assertThat(plan.exact()).isEmpty();
    }

    @Test
    void shouldStartEveryCursorOfAPartitionWithNoEventsAtItsEnd() {
        assertThat(plan(new Cursor.FromOffset(7), Set.of(2)).start()).containsEntry(2, 7L);
        assertThat(plan(new Cursor.FromOffset(7), Set.of(2)).notices()).isEmpty();
        assertThat(plan(new Cursor.Live(), Set.of(0, 2)).start())
                .containsExactlyInAnyOrderEntriesOf(Map.of(0, 100L, 2, 7L));
    }
}
