package io.fanout.service.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.service.replay.ReplayPlanner.CursorLookup;
import io.fanout.service.replay.ReplayPlanner.Facts;
import io.fanout.service.replay.ReplayPlanner.PartitionOffsets;
import io.fanout.service.replay.ReplayPlanner.TimeLookup;
import io.fanout.service.subscribe.ControlFrame;
import io.fanout.service.subscribe.Cursor;
import io.fanout.service.subscribe.OriginPartition;
import io.fanout.service.subscribe.PartitionCursor;
import io.fanout.service.subscribe.PartitionCursor.Mark;
import io.fanout.service.subscribe.SessionEnd;
import io.fanout.service.subscribe.StartPlan;
import io.fanout.service.subscribe.TruncationNotice;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The planner with several origins and region-independent cursors ({@code cursor=}), without a broker: the lookups'
 * outcomes (found, gone by retention, not here yet, cut short) and origins or partitions a cursor does not name; and
 * the offset cursors, which name this region's own topic only.
 */
class ResumePlannerTest {

    private static final String HOME = "r2";
    private static final OriginPartition OWN_3 = new OriginPartition("r2", 3);
    private static final OriginPartition MIRROR_3 = new OriginPartition("r1", 3);
    private static final OriginPartition OWN_5 = new OriginPartition("r2", 5);
    private static final OriginPartition MIRROR_5 = new OriginPartition("r1", 5);
    private static final Map<OriginPartition, PartitionOffsets> OFFSETS = Map.of(
            OWN_3, new PartitionOffsets(0, 100),
            MIRROR_3, new PartitionOffsets(20, 60),
            OWN_5, new PartitionOffsets(0, 10),
            MIRROR_5, new PartitionOffsets(0, 0));
    private static final Mark OWN_MARK = new Mark(5_000, "own-event");
    private static final Mark MIRROR_MARK = new Mark(4_000, "mirrored-event");

    private static StartPlan plan(
            Cursor cursor,
            Set<OriginPartition> partitions,
            Map<OriginPartition, TimeLookup> since,
            Map<OriginPartition, CursorLookup> found) {
        return ReplayPlanner.plan(cursor, HOME, partitions, new Facts(OFFSETS, since, Map.of(), found));
    }

    private static Cursor.Resume resume(PartitionCursor... cursors) {
        Map<Integer, PartitionCursor> byPartition = new java.util.HashMap<>();
        for (PartitionCursor cursor : cursors) {
            byPartition.put(cursor.partition(), cursor);
        }
        return new Cursor.Resume(byPartition);
    }

    private static String text(Object frame) {
        return new String(((io.fanout.service.subscribe.Frame) frame).json(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldStartEachOriginRightAfterTheEventItsCursorNames() {
        StartPlan plan = plan(
                resume(new PartitionCursor(3, Map.of("r2", OWN_MARK, "r1", MIRROR_MARK))),
                Set.of(OWN_3, MIRROR_3),
                Map.of(),
                Map.of(OWN_3, CursorLookup.found(41), MIRROR_3, CursorLookup.found(33)));
        assertThat(plan.start()).containsExactlyInAnyOrderEntriesOf(Map.of(OWN_3, 42L, MIRROR_3, 34L));
        assertThat(plan.marks()).containsExactlyInAnyOrderEntriesOf(Map.of(OWN_3, OWN_MARK, MIRROR_3, MIRROR_MARK));
        assertThat(plan.notices()).isEmpty();
        assertThat(plan.refusal()).isNull();
    }

    @Test
    void shouldSayTruncatedWithTheOriginWhenTheEventLeftTheRegionByRetention() {
        StartPlan plan = plan(
                resume(new PartitionCursor(3, Map.of("r2", OWN_MARK, "r1", MIRROR_MARK))),
                Set.of(OWN_3, MIRROR_3),
                Map.of(),
                Map.of(OWN_3, CursorLookup.found(41), MIRROR_3, CursorLookup.notFound(4_500)));
        assertThat(plan.start()).containsEntry(MIRROR_3, 20L).containsEntry(OWN_3, 42L);
        assertThat(plan.refusal()).isNull();
        assertThat(plan.notices()).hasSize(1);
        assertThat(text(plan.notices().get(0)))
                .isEqualTo("{\"type\":\"truncated\",\"origin\":\"r1\",\"partition\":3,\"since\":4000,\"earliest\":20}");
        assertThat(plan.notices().get(0)).isInstanceOf(TruncationNotice.class);
    }

    @Test
    void shouldRefuseWithCursorAheadWhenTheEventHasNotReachedTheRegionYet() {
        // the first kept record is older than the event, and the log end was reached without it
        StartPlan plan = plan(
                resume(new PartitionCursor(3, Map.of("r2", OWN_MARK, "r1", MIRROR_MARK))),
                Set.of(OWN_3, MIRROR_3),
                Map.of(),
                Map.of(OWN_3, CursorLookup.found(41), MIRROR_3, CursorLookup.notFound(3_000)));
        assertThat(plan.refusal()).isNotNull();
        assertThat(plan.refusal().reason()).isEqualTo(SessionEnd.Reason.CURSOR_AHEAD);
        assertThat(plan.refusal().detail().getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(123);
        assertThat(plan.notices()).singleElement().isInstanceOf(ControlFrame.class);
        assertThat(((ControlFrame) plan.notices().get(0)).type()).isEqualTo("cursor-ahead");
        assertThat(text(plan.notices().get(0)))
                .startsWith("{\"type\":\"cursor-ahead\",\"origin\":\"r1\",\"partition\":3,\"detail\":\"")
                .contains("resume in region r1");
    }

    @Test
    void shouldSayAheadRatherThanTruncatedWhenNothingWasEverDeleted() {
        StartPlan plan = plan(
                resume(new PartitionCursor(3, Map.of("r2", OWN_MARK))),
                Set.of(OWN_3),
                Map.of(),
                Map.of(OWN_3, CursorLookup.notFound(9_000)));
        assertThat(plan.refusal().reason()).isEqualTo(SessionEnd.Reason.CURSOR_AHEAD);
    }

    @Test
    void shouldRetryLaterWhenTheLookupWasCutShort() {
        StartPlan plan = plan(
                resume(new PartitionCursor(3, Map.of("r2", OWN_MARK))),
                Set.of(OWN_3),
                Map.of(),
                Map.of(OWN_3, CursorLookup.cut()));
        assertThat(plan.refusal().reason()).isEqualTo(SessionEnd.Reason.LOG_UNAVAILABLE);
        assertThat(plan.notices()).isEmpty();
    }

    @Test
    void shouldStartAnOriginTheCursorDoesNotNameAtItsOldestTime() {
        // the cursor comes from a region that did not read r1 yet: r1 starts at the first record at/after 5000
        StartPlan plan = plan(
                resume(new PartitionCursor(3, Map.of("r2", OWN_MARK))),
                Set.of(OWN_3, MIRROR_3),
                Map.of(MIRROR_3, new TimeLookup(25, 5_001)),
                Map.of(OWN_3, CursorLookup.found(41)));
        assertThat(plan.start()).containsExactlyInAnyOrderEntriesOf(Map.of(OWN_3, 42L, MIRROR_3, 25L));
        assertThat(plan.marks()).doesNotContainKey(MIRROR_3);
    }

    @Test
    void shouldStartAPartitionNoCursorNamesAtTheOldestTimeOrItsEnd() {
        StartPlan plan = plan(
                resume(new PartitionCursor(3, Map.of("r2", OWN_MARK))),
                Set.of(OWN_3, OWN_5, MIRROR_5),
                Map.of(OWN_5, new TimeLookup(7, 5_200)),
                Map.of(OWN_3, CursorLookup.found(41)));
        assertThat(plan.start()).containsEntry(OWN_5, 7L).containsEntry(MIRROR_5, 0L);
    }

    @Test
    void shouldStartAnOriginAtItsBeginningWhenTheStreamHadPassedNoneOfItsEvents() {
        StartPlan plan = plan(
                resume(new PartitionCursor(3, Map.of("r2", OWN_MARK, "r1", Mark.BEGINNING))),
                Set.of(OWN_3, MIRROR_3),
                Map.of(),
                Map.of(OWN_3, CursorLookup.found(41)));
        assertThat(plan.start()).containsEntry(MIRROR_3, 20L);
        assertThat(plan.notices()).isEmpty();
    }

    @Test
    void shouldReadOffsetCursorsInThisRegionsOwnTopicAndStartMirrorsLive() {
        StartPlan fromOffset = plan(new Cursor.FromOffset(30), Set.of(OWN_3, MIRROR_3), Map.of(), Map.of());
        assertThat(fromOffset.start()).containsExactlyInAnyOrderEntriesOf(Map.of(OWN_3, 30L, MIRROR_3, 60L));
        StartPlan positions = plan(
                new Cursor.FromPositions(Map.of(3, 30L), Map.of(MIRROR_3, 10L)),
                Set.of(OWN_3, MIRROR_3),
                Map.of(),
                Map.of());
        assertThat(positions.start()).containsExactlyInAnyOrderEntriesOf(Map.of(OWN_3, 30L, MIRROR_3, 20L));
        assertThat(text(positions.notices().get(0)))
                .isEqualTo(
                        "{\"type\":\"truncated\",\"origin\":\"r1\",\"partition\":3,\"requested\":10,\"earliest\":20}");
    }

    @Test
    void shouldReadSinceInEveryOriginsTopic() {
        StartPlan plan = plan(
                new Cursor.Since(4_000),
                Set.of(OWN_3, MIRROR_3),
                Map.of(OWN_3, new TimeLookup(50, 4_001), MIRROR_3, new TimeLookup(30, 4_002)),
                Map.of());
        assertThat(plan.start()).containsExactlyInAnyOrderEntriesOf(Map.of(OWN_3, 50L, MIRROR_3, 30L));
    }
}
