package io.fanout.service.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.service.subscribe.SubscribeRequestParser;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An SSE event id is a {@code from} cursor: written by {@link EventIds}, read back by the request parser. */
class EventIdsTest {

    @Test
    void shouldWritePartitionsInOrder() {
        assertThat(EventIds.of(Map.of(7, 88L, 3, 1235L))).isEqualTo("3:1235,7:88");
    }

    @Test
    void shouldReadBackAsTheSamePositions() {
        Map<Integer, Long> positions = Map.of(0, 0L, 3, 1235L, 11, Long.MAX_VALUE);
        assertThat(SubscribeRequestParser.positions(EventIds.of(positions)).nextOffsets())
                .containsExactlyInAnyOrderEntriesOf(positions);
    }
}
