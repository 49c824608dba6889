package io.fanout.service.subscribe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fanout.schemas.EventCodec;
import io.fanout.schemas.UndecodableEventException;
import io.fanout.schemas.avro.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Pins the hand-written event frame to what Jackson reads, its field order, and both ways of building it. */
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

    @Test
    void shouldWriteWhatJacksonReadsBackForEveryKindOfField() {
        String[][] idsAndMessages = {
            {"7d9f6c2e-1b7a-4d7e-9a53-0c3f5b1c2d4e", "{\"total\":12.5}"},
            {"id \"quoted\" \\ back\u0001\n", "\"plain\""},
            {"évènement-😀", "{\"text\":\"grüße 😀\",\"n\":[1,2.5,null]}"},
            {"", "null"},
        };
        long[][] numbers = {
            {0, 0, 0, 0},
            {7, 123_456_789_012L, -1, Long.MAX_VALUE},
            {Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 1}
        };
        for (String[] idAndMessage : idsAndMessages) {
            for (long[] n : numbers) {
                EventFrame frame = EventFrame.of(
                        "a:b_c-d.e", "eu-west", (int) n[0], n[1], n[2], idAndMessage[0], CURSOR, n[3], idAndMessage[1]);
                JsonNode node = JSON.readTree(frame.text());
                assertThat(node.get("channel").asString()).isEqualTo("a:b_c-d.e");
                assertThat(node.get("partition").asLong()).isEqualTo(n[0]);
                assertThat(node.get("offset").asLong()).isEqualTo(n[1]);
                assertThat(node.get("timestamp").asLong()).isEqualTo(n[2]);
                assertThat(node.get("id").asString()).isEqualTo(idAndMessage[0]);
                assertThat(node.get("origin").asString()).isEqualTo("eu-west");
                assertThat(node.get("cursor").asString()).isEqualTo(CURSOR.encode());
                assertThat(node.has("seq")).isEqualTo(n[3] > 0);
                assertThat(node.get("message")).isEqualTo(JSON.readTree(idAndMessage[1]));
                assertThat(frame.text()).endsWith(",\"message\":" + idAndMessage[1] + "}");
                assertThat(new String(
                                frame.json(),
                                frame.cursorAt(),
                                frame.cursorText().length(),
                                StandardCharsets.US_ASCII))
                        .isEqualTo(frame.cursorText());
            }
        }
    }

    @Test
    void shouldBuildTheSameFrameFromAValueReadInPlaceAsFromItsDecodedEvent() {
        for (Event event : List.of(
                event("7d9f6c2e-1b7a-4d7e-9a53-0c3f5b1c2d4e", "{\"n\":1}", 0),
                event("id \"quoted\"", "[1,2]", 9),
                event("7d9f6c2e-1b7a-4d7e-9a53-0c3f5b1c2d4e", "{\"text\":\"grüße\"}", 3))) {
            byte[] value = EventCodec.encode(event);
            EventFrame fromValue = EventFrame.ofValue("orders", "r1", 3, 1234, 99, CURSOR, value);
            EventFrame fromEvent = EventFrame.of(
                    "orders", "r1", 3, 1234, 99, event.getId(), CURSOR, event.getSeq(), event.getMessage());
            assertThat(fromValue.text()).isEqualTo(fromEvent.text());
            assertThat(fromValue.id()).isEqualTo(event.getId());
            assertThat(fromValue.seq()).isEqualTo(event.getSeq());
            assertThat(fromValue.cursorAt()).isEqualTo(fromEvent.cursorAt());
        }
        assertThatThrownBy(() -> EventFrame.ofValue("orders", "r1", 3, 1234, 99, CURSOR, new byte[] {1, 2, 3}))
                .isInstanceOf(UndecodableEventException.class);
    }

    private static Event event(String id, String message, long seq) {
        return Event.newBuilder()
                .setId(id)
                .setChannel("orders")
                .setMessage(message)
                .setPublishedAt(Instant.ofEpochMilli(1_764_000_000_000L))
                .setSeq(seq)
                .build();
    }
}
