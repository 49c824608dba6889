package io.fanout.service.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Pins the hand-written event frame to what Jackson reads, and its field order. */
class EventFrameTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final PartitionCursor CURSOR =
            new PartitionCursor(3, Map.of("r1", new PartitionCursor.Mark(1_764_000_000_000L, "id \"1\"")));

    @Test
    void shouldWriteSeqBetweenCursorAndMessageWhenTheEventWasSequenced() {
        EventFrame frame =
                EventFrame.of("orders", "r1", 3, 1234, 1_764_000_000_000L, "id \"1\"", CURSOR, 42, "{\"a\":[1]}");
        JsonNode node = JSON.readTree(frame.text());
        assertThat(node.propertyNames())
                .containsExactly(
                        "channel", "partition", "offset", "timestamp", "id", "origin", "cursor", "seq", "message");
        assertThat(node.get("seq").asLong()).isEqualTo(42);
        assertThat(node.get("id").asString()).isEqualTo("id \"1\"");
        assertThat(node.get("cursor").asString()).isEqualTo(CURSOR.encode());
        assertThat(node.get("message").toString()).isEqualTo("{\"a\":[1]}");
        assertThat(frame.seq()).isEqualTo(42);
    }

    @Test
    void shouldLeaveSeqOutWhenTheEventWasNotSequenced() {
        EventFrame frame = EventFrame.of("orders", "r1", 3, 1234, 1, "id", CURSOR, 0, "\"x\"");
        assertThat(List.copyOf(JSON.readTree(frame.text()).propertyNames()))
                .containsExactly("channel", "partition", "offset", "timestamp", "id", "origin", "cursor", "message");
    }
}
