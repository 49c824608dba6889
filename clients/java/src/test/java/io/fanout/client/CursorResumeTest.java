package io.fanout.client;

import static io.fanout.client.ScriptedFanout.event;
import static io.fanout.client.ScriptedFanout.sendAndStay;
import static io.fanout.client.ScriptedFanout.sendThenClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fanout.client.StateChange.State;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Resume by the region-independent cursor: bookkeeping, URL rotation and close 4001, against scripted servers. */
class CursorResumeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String AHEAD =
            "{\"type\":\"cursor-ahead\",\"origin\":\"r1\",\"partition\":3,\"detail\":\"not here yet\"}";

    private static String cursor(int partition, String tag) {
        return "1." + partition + ".r1~m3xk1o9c~" + tag;
    }

    private static Event eventOf(String channel, int partition, long offset, String origin, String cursor) {
        return new Event(channel, partition, offset, 0, partition + "-" + offset, null, origin, cursor);
    }

    @Test
    void shouldResumeWithTheCursorOfEachPartitionsLastEvent() {
        ResumePosition position = new ResumePosition(List.of("a", "b"), Map.of());
        assertThat(position.accept(eventOf("a", 3, 7, "r1", cursor(3, "x7")))).isTrue();
        assertThat(position.accept(eventOf("b", 1, 4, "r1", cursor(1, "x4")))).isTrue();
        assertThat(position.accept(eventOf("a", 3, 8, "r1", cursor(3, "x8")))).isTrue();
        assertThat(position.query()).isEqualTo(Map.of("cursor", cursor(1, "x4") + "," + cursor(3, "x8")));
    }

    @Test
    void shouldDropRepeatsPerOriginUntilAResumeByCursor() {
        ResumePosition position = new ResumePosition(List.of("a"), Map.of());
        assertThat(position.accept(eventOf("a", 3, 7, "r1", cursor(3, "a")))).isTrue();
        assertThat(position.accept(eventOf("a", 3, 7, "r1", cursor(3, "a")))).isFalse();
        // another origin's copy in the same partition numbers its offsets on its own
        assertThat(position.accept(eventOf("a", 3, 2, "r2", cursor(3, "b")))).isTrue();
        position.resumedByCursor(); // perhaps another region: other offsets, and the server's answer is exact
        assertThat(position.accept(eventOf("a", 3, 1, "r1", cursor(3, "c")))).isTrue();
    }

    @Test
    void shouldNotKeepASubscribedPositionThatNamesMirroredPartitions() {
        ResumePosition position = new ResumePosition(List.of("a"), Map.of());
        position.connected(1_000_000);
        position.seed("3:0,r2/3:0");
        assertThat(position.query())
                .isEqualTo(Map.of("since", Long.toString(1_000_000 - ResumePosition.LIVE_LOOKBACK_MS)));
    }

    @Test
    void shouldKeepTheProgramsPositionAndTurnItIntoOptions() {
        Cursors position = new Cursors();
        assertThat(position.options()).isEqualTo(SubscribeOptions.live());
        position.advance(new Event("a", 3, 7, 0, "x", null));
        assertThat(position.options()).isEqualTo(SubscribeOptions.from("3:8"));
        position.advance(eventOf("a", 3, 8, "r1", cursor(3, "x8")));
        position.advance(eventOf("b", 1, 4, "r1", cursor(1, "x4")));
        assertThat(position.values()).containsExactly(cursor(1, "x4"), cursor(3, "x8"));
        assertThat(position.options().cursorValue()).isEqualTo(cursor(1, "x4") + "," + cursor(3, "x8"));
        assertThat(Cursors.of(position.values()).values()).isEqualTo(position.values());
        assertThatThrownBy(() -> SubscribeOptions.cursor(List.of("3:100")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a fanout cursor");
    }

    @Test
    void shouldRetryTheSameUrlAfter4001ThenMoveToTheNextWithTheCursor() {
        List<StateChange> states = new CopyOnWriteArrayList<>();
        Cursors taken = new Cursors();
        try (ScriptedFanout region1 = new ScriptedFanout(
                        sendThenClose(1001, "going away", event("a", 3, 10, "r1", cursor(3, "e10"))),
                        // another region numbers the partition on its own: a lower offset is not a repeat
                        sendAndStay(event("a", 3, 4, "r1", cursor(3, "e11"))));
                ScriptedFanout region2 = new ScriptedFanout(sendThenClose(4001, "cursor ahead", AHEAD))) {
            FanoutClient client = FanoutClient.builder()
                    .urls(region1.url(), region2.url())
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                    .cursorAhead(1, Duration.ofMillis(10), Duration.ofMillis(50))
                    .build();
            StepVerifier.create(client.subscribe(
                                    List.of("a"), SubscribeOptions.live().onState(states::add))
                            .doOnNext(taken::advance))
                    .assertNext(e -> assertThat(e.cursor()).isEqualTo(cursor(3, "e10")))
                    .assertNext(e -> assertThat(e.offset()).isEqualTo(4))
                    .thenCancel()
                    .verify(WAIT);
            String resume = "/events?channel=a&cursor=" + cursor(3, "e10");
            assertThat(region2.requests).containsExactly(resume, resume);
            assertThat(region1.requests).containsExactly("/events?channel=a", resume);
            assertThat(states.stream().filter(s -> s.state() == State.CURSOR_AHEAD))
                    .hasSize(2)
                    .allSatisfy(s -> {
                        assertThat(s.code()).isEqualTo(4001);
                        assertThat(s.reason()).isEqualTo("not here yet");
                    });
            assertThat(states.stream()
                            .filter(s -> s.state() == State.DISCONNECTED)
                            .map(StateChange::code))
                    .containsExactly(1001, 4001, 4001);
            assertThat(taken.values()).containsExactly(cursor(3, "e11"));
        }
    }

    @Test
    void shouldStartFromGivenCursorsAndHandCursorGapsWithTheirOrigin() {
        List<Gap> gaps = new CopyOnWriteArrayList<>();
        try (ScriptedFanout server = new ScriptedFanout(sendAndStay(
                "{\"type\":\"truncated\",\"origin\":\"r2\",\"partition\":3,\"since\":1732480000000,\"earliest\":250}",
                event("a", 3, 250, "r2", cursor(3, "e250"))))) {
            FanoutClient client = FanoutClient.builder().urls(server.url()).build();
            StepVerifier.create(client.subscribe(
                            List.of("a"),
                            SubscribeOptions.cursor(List.of(cursor(3, "old"))).onGap(gaps::add)))
                    .assertNext(e -> assertThat(e.origin()).isEqualTo("r2"))
                    .thenCancel()
                    .verify(WAIT);
            assertThat(server.requests).containsExactly("/events?channel=a&cursor=" + cursor(3, "old"));
            assertThat(gaps).containsExactly(new Gap(3, -1, 250, 1732480000000L, "r2"));
            assertThat(gaps.get(0).missed()).isEqualTo(-1);
        }
    }
}
