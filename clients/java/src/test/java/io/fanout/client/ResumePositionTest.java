package io.fanout.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResumePositionTest {

    private static Event event(String channel, int partition, long offset) {
        return new Event(channel, partition, offset, 0, partition + "-" + offset, null);
    }

    @Test
    void shouldParseAndFormatPositionLists() {
        assertThat(ResumePosition.parse("3:17,7:0")).containsExactly(Map.entry(3, 17L), Map.entry(7, 0L));
        assertThat(ResumePosition.format(Map.of(7, 0L, 3, 17L))).isEqualTo("3:17,7:0");
        assertThat(ResumePosition.parse("")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"3", "3:", ":4", "a:1", "1:-2", "-1:2", "1:2,", "1:2;3:4"})
    void shouldRefuseMalformedPositions(String bad) {
        assertThatThrownBy(() -> ResumePosition.parse(bad)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldStartLiveThenLookBackFromTheFirstConnectionUntilEveryChannelIsKnown() {
        ResumePosition position = new ResumePosition(List.of("a", "b"), Map.of());
        assertThat(position.query()).isEmpty();
        position.connected(1_000_000);
        assertThat(position.query())
                .isEqualTo(Map.of("since", Long.toString(1_000_000 - ResumePosition.LIVE_LOOKBACK_MS)));
        assertThat(position.accept(event("a", 2, 5))).isTrue();
        assertThat(position.query()).containsOnlyKeys("since");
        assertThat(position.accept(event("b", 9, 0))).isTrue();
        assertThat(position.query()).isEqualTo(Map.of("from", "2:6,9:1"));
    }

    @Test
    void shouldAskWithTheFirstCursorAgainUntilEveryChannelIsKnown() {
        ResumePosition position = new ResumePosition(List.of("a", "b"), Map.of("last", "5"));
        position.connected(1);
        position.accept(event("a", 2, 5));
        assertThat(position.query()).isEqualTo(Map.of("last", "5"));
    }

    @Test
    void shouldDropEventsBelowThePositionHandedOut() {
        ResumePosition position = new ResumePosition(List.of("a"), Map.of("last", "5"));
        assertThat(position.accept(event("a", 2, 5))).isTrue();
        assertThat(position.accept(event("a", 2, 5))).isFalse();
        assertThat(position.accept(event("a", 2, 4))).isFalse();
        assertThat(position.accept(event("a", 2, 6))).isTrue();
    }

    @Test
    void shouldPreferHandedOutPositionsOverTheSubscribedOnes() {
        ResumePosition position = new ResumePosition(List.of("a", "b"), Map.of("since", "0"));
        position.seed("2:0,9:3");
        position.accept(event("a", 2, 0));
        assertThat(position.query()).isEqualTo(Map.of("from", "2:1,9:3"));
    }

    @Test
    void shouldSkipPastAGap() {
        ResumePosition position = new ResumePosition(List.of("a"), Map.of("from", "0"));
        position.accept(event("a", 2, 3));
        position.skipTo(2, 10);
        assertThat(position.query()).isEqualTo(Map.of("from", "2:10"));
    }

    @Test
    void shouldResumeByTheSubscribedFramesCursorBeforeAnyEventInsteadOfGoingLive() {
        ResumePosition position = new ResumePosition(List.of("a", "b"), Map.of());
        position.connected(1_000_000);
        position.seed("2:0,9:3");
        position.seedCursor("1.2.r1~m3xk1o9c~u0,1.9.r1~m3xk1n2a~u2");
        assertThat(position.query()).isEqualTo(Map.of("cursor", "1.2.r1~m3xk1o9c~u0,1.9.r1~m3xk1n2a~u2"));
    }

    @Test
    void shouldKeepTheCursorOfAnEventHandedOutOverTheSubscribedFramesCursor() {
        ResumePosition position = new ResumePosition(List.of("a", "b"), Map.of());
        position.seedCursor("1.2.r1~m3xk1o9c~u0,1.9.r1~m3xk1n2a~u2");
        position.accept(new Event("a", 2, 0, 0, "2-0", null, "r1", "1.2.r1~m3xk1o9c~u1"));
        position.seedCursor("1.2.r2~m3xk1o9d~u7,1.9.r2~m3xk1n2b~u9"); // a later connection's subscribed frame
        assertThat(position.query()).isEqualTo(Map.of("cursor", "1.2.r1~m3xk1o9c~u1,1.9.r1~m3xk1n2a~u2"));
    }

    @Test
    void shouldIgnoreASubscribedCursorItCannotRead() {
        ResumePosition position = new ResumePosition(List.of("a"), Map.of("last", "5"));
        position.seedCursor("1.2.r1~x,not-a-cursor");
        assertThat(position.query()).isEqualTo(Map.of("last", "5"));
    }
}
