package io.fanout.service.subscribe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fanout.service.subscribe.PartitionCursor.Mark;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cursor's text form: compact, URL-safe, read back exactly, and every malformed form refused with a reason. */
class PartitionCursorTest {

    private static final String UUID_ID = "7d9f6c2e-1b7a-4d7e-9a53-0c3f5b1c2d4e";

    @Test
    void shouldWriteAUuidIdAsItsSixteenBytes() {
        PartitionCursor cursor = new PartitionCursor(3, Map.of("r1", new Mark(1_732_480_000_123L, UUID_ID)));
        String text = cursor.encode();
        assertThat(text).startsWith("1.3.r1~" + Long.toString(1_732_480_000_123L, 36) + "~u");
        assertThat(text).hasSize("1.3.r1~".length() + 8 + 1 + 23);
        assertThat(PartitionCursor.parse(text)).isEqualTo(cursor);
    }

    @Test
    void shouldRoundTripSeveralOriginsBeginningsAndIdsThatAreNoUuid() {
        PartitionCursor cursor = new PartitionCursor(
                11,
                Map.of(
                        "r1", new Mark(5, UUID_ID.toUpperCase()), // not canonical: written as its bytes
                        "eu-west", new Mark(0, "évent \"1\"/~.,"),
                        "r2", Mark.BEGINNING));
        String text = cursor.encode();
        assertThat(text).matches("[A-Za-z0-9._~-]+");
        assertThat(text).startsWith("1.11.eu-west~0~b").endsWith(".r2");
        assertThat(PartitionCursor.parse(text)).isEqualTo(cursor);
        assertThat(PartitionCursor.parse(text).marks().get("r1").id()).isEqualTo(UUID_ID.toUpperCase());
    }

    @Test
    void shouldRoundTripRandomUuids() {
        for (int i = 0; i < 200; i++) {
            String id = UUID.randomUUID().toString();
            PartitionCursor cursor = new PartitionCursor(i, Map.of("r1", new Mark(i * 1_000L, id)));
            assertThat(PartitionCursor.parse(cursor.encode())).isEqualTo(cursor);
        }
    }

    @Test
    void shouldWriteAnIdThatOnlyLooksLikeAUuidAsItsBytes() {
        for (String id : List.of(
                "7d9f6c2e-1b7a-4d7e-9a53-0c3f5b1c2d4E", // one upper-case digit
                "7d9f6c2e-1b7a-4d7e-9a53-0c3f5b1c2d4g",
                "7d9f6c2e1-b7a-4d7e-9a53-0c3f5b1c2d4e", // a hyphen moved
                "7d9f6c2e-1b7a-4d7e-9a53-0c3f5b1c2d4\u0663", // a digit, but not an ASCII one
                "7d9f6c2e-1b7a-4d7e-9a53-0c3f5b1c2d4")) {
            PartitionCursor cursor = new PartitionCursor(1, Map.of("r1", new Mark(7, id)));
            String text = cursor.encode();
            assertThat(text).as(id).startsWith("1.1.r1~7~b");
            assertThat(PartitionCursor.parse(text)).isEqualTo(cursor);
        }
    }

    @Test
    void shouldKnowItsNewestAndOldestTimes() {
        PartitionCursor cursor =
                new PartitionCursor(0, Map.of("r1", new Mark(10, "a"), "r2", new Mark(30, "b"), "r3", Mark.BEGINNING));
        assertThat(cursor.newestTimestamp()).isEqualTo(30);
        assertThat(new Cursor.Resume(Map.of(0, cursor)).oldestTimestamp()).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "2.3.r1",
                "1",
                "1.3",
                "1.-3.r1",
                "1.03.r1",
                "1.x.r1",
                "1.99999999999.r1",
                "1.3.R1",
                "1.3.r_1",
                "1.3.r1~",
                "1.3.r1~abc",
                "1.3.r1~abc~",
                "1.3.r1~abc~u",
                "1.3.r1~abc~uAAAA",
                "1.3.r1~ABC~bYQ",
                "1.3.r1~-5~bYQ",
                "1.3.r1~zzzzzzzzzzzzzz~bYQ",
                "1.3.r1~abc~xYQ",
                "1.3.r1~abc~bY=Q",
                "1.3.r1~abc~b+/",
                "1.3.r1~abc~bYQ~x",
                "1.3.r1~abc~bYQ.r1~abd~bYQ",
                "1.3.r1..r2",
                "1.3.r1.",
            })
    void shouldRefuseAMalformedCursorWithAReasonThatFitsACloseFrame(String text) {
        assertThatThrownBy(() -> PartitionCursor.parse(text))
                .isInstanceOf(InvalidSubscribeException.class)
                .satisfies(e -> assertThat(e.getMessage().getBytes(StandardCharsets.UTF_8).length)
                        .isBetween(1, 123));
    }

    @Test
    void shouldRefuseAnIdThatIsNotCanonicalBase64() {
        // "YR" decodes like "YQ" (unused low bits): only the form encode writes is accepted
        assertThat(PartitionCursor.parse("1.3.r1~a~bYQ").marks().get("r1").id()).isEqualTo("a");
        assertThatThrownBy(() -> PartitionCursor.parse("1.3.r1~a~bYR")).isInstanceOf(InvalidSubscribeException.class);
    }
}
