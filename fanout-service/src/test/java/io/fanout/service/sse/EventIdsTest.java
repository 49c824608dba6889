package io.fanout.service.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.service.subscribe.OriginPartition;
import io.fanout.service.subscribe.Positions;
import io.fanout.service.subscribe.SubscribeRequestParser;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An SSE event id is a cursor, or (before any cursor is known) a position list: both are read back as the parameter
 * they stand for, and a position list written by {@link Positions} is read back as the same positions.
 */
class EventIdsTest {

    @Test
    void shouldWritePartitionsInOrderWithMirroredOnesAfter() {
        Map<OriginPartition, Long> positions = Map.of(
                new OriginPartition("r1", 7), 88L,
                new OriginPartition("r1", 3), 1235L,
                new OriginPartition("r2", 3), 9L);
        assertThat(Positions.format(positions, "r1")).isEqualTo("3:1235,7:88,r2/3:9");
    }

    @Test
    void shouldReadBackAsTheSamePositions() {
        Map<OriginPartition, Long> positions = Map.of(
                new OriginPartition("r1", 0), 0L,
                new OriginPartition("r1", 3), 1235L,
                new OriginPartition("r1", 11), Long.MAX_VALUE,
                new OriginPartition("r2", 3), 40L);
        var parsed = SubscribeRequestParser.positions(Positions.format(positions, "r1"));
        assertThat(parsed.nextOffsets())
                .containsExactlyInAnyOrderEntriesOf(Map.of(0, 0L, 3, 1235L, 11, Long.MAX_VALUE));
        assertThat(parsed.mirrored()).containsExactlyInAnyOrderEntriesOf(Map.of(new OriginPartition("r2", 3), 40L));
    }

    @Test
    void shouldTellACursorIdFromAPositionList() {
        assertThat(EventIds.parameterOf("3:1235,7:88")).isEqualTo("from");
        assertThat(EventIds.parameterOf("1.3.r1~lq2k3x9c~uAAAAAAAAAAAAAAAAAAAAAA"))
                .isEqualTo("cursor");
    }
}
