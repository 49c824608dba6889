package io.fanout.client;

import static io.fanout.client.ScriptedFanout.sendAndStay;
import static io.fanout.client.ScriptedFanout.sendThenClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Per-channel sequence bookkeeping ({@code seq} in event frames of a sequencing platform): repeats dropped and
 * counted, gaps reported with the exact count unless a {@code truncated} frame explained them, {@code seq=} sent on
 * resume. The position alone, and a subscription against scripted servers.
 */
class SeqTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static String cursor(String origin, long seq) {
        return "1.3." + origin + "~m3xk1o9c~" + origin + seq;
    }

    private static Event event(String channel, String origin, long seq, long offset) {
        return new Event(channel, 3, offset, 0, origin + "-" + seq, null, origin, cursor(origin, seq), seq);
    }

    private static Event event(String channel, String origin, long seq) {
        return event(channel, origin, seq, seq + 100);
    }

    /** What a subscription does with an event: -1 when it is dropped as a repeat, else the gap before it. */
    private static long offer(ResumePosition position, Event event) {
        long missed = position.missedBefore(event);
        return position.accept(event) ? missed : -1;
    }

    private static String frame(String channel, String origin, long seq, long offset) {
        return "{\"channel\":\"" + channel + "\",\"partition\":3,\"offset\":" + offset + ",\"timestamp\":0,\"id\":\""
                + origin + "-" + seq + "\",\"origin\":\"" + origin + "\",\"cursor\":\"" + cursor(origin, seq)
                + "\",\"seq\":" + seq + ",\"message\":" + seq + "}";
    }

    @Test
    void shouldDropAnEventWhoseSeqIsAtOrBelowTheLastOfItsChannelAndOriginAndCountIt() {
        ResumePosition position = new ResumePosition(List.of("a"), Map.of());
        assertThat(offer(position, event("a", "r1", 1))).isZero();
        assertThat(offer(position, event("a", "r1", 2))).isZero();
        assertThat(offer(position, event("a", "r1", 2))).isEqualTo(-1);
        assertThat(offer(position, event("a", "r1", 1, 999))).isEqualTo(-1); // by seq, whatever its offset
        assertThat(offer(position, event("a", "r2", 1))).isZero(); // another origin counts on its own
        assertThat(position.duplicates()).isEqualTo(2);
    }

    @Test
    void shouldMeasureAGapWithTheExactNumberOfEventsMissedPerChannelAndOrigin() {
        ResumePosition position = new ResumePosition(List.of("a", "b"), Map.of());
        offer(position, event("a", "r1", 4));
        offer(position, event("b", "r1", 10));
        assertThat(offer(position, event("a", "r1", 7))).isEqualTo(2); // 5 and 6 never came
        assertThat(offer(position, event("b", "r1", 11))).isZero();
        assertThat(offer(position, event("a", "r2", 9))).isZero(); // the first of its origin
        assertThat(offer(position, event("a", "r1", 8))).isZero(); // delivery went on
    }

    @Test
    void shouldNotReportTheEventsATruncatedFrameAccountedFor() {
        ResumePosition position = new ResumePosition(List.of("a"), Map.of());
        offer(position, event("a", "r1", 3));
        position.explain(new Gap(3, -1, 0, 1, "r1", "a", 4, 8, false));
        assertThat(offer(position, event("a", "r1", 8))).isZero();
        position.explain(new Gap(3, -1, 0, 1, "r1", "a", 2, -1, false));
        assertThat(offer(position, event("a", "r1", 12))).isEqualTo(1); // 9, 10 deleted (said), 11 not said
        position.explain(new Gap(3, -1, 0, 1, null, "a", 5, 18, false)); // no origin: the channel's next event
        assertThat(offer(position, event("a", "r1", 18))).isZero();
        assertThat(offer(position, event("a", "r1", 20))).isEqualTo(1); // used up
        position.explain(new Gap(3, 1, 9)); // today's frame: no channel
        assertThat(offer(position, event("a", "r1", 21))).isZero();
    }

    @Test
    void shouldKeepTheLastSeqPerChannelAndOriginAndRefuseMalformedStoredOnes() {
        ResumePosition position = new ResumePosition(List.of("a", "b"), Map.of(), List.of("b~r2~4"));
        offer(position, event("a", "r1", 7));
        offer(position, event("a", "r2", 2));
        assertThat(position.seqValues()).containsExactly("a~r1~7", "a~r2~2", "b~r2~4");
        assertThat(offer(position, event("b", "r2", 4))).isEqualTo(-1);
        Cursors taken = new Cursors();
        taken.advance(event("a", "r1", 7));
        taken.advance(event("a", "r1", 5)); // never goes back
        assertThat(taken.seqValues()).containsExactly("a~r1~7");
        assertThat(taken.options().seq()).containsExactly("a~r1~7");
        assertThat(Cursors.of(taken.values(), taken.seqValues()).options()).isEqualTo(taken.options());
        for (String bad : List.of("a~r1", "a~r1~x", "~r1~3", "a~r1~-1", "a~r1~3~4")) {
            assertThatThrownBy(() -> SubscribeOptions.live().seq(List.of(bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a seq value");
        }
        assertThat(new Gap(3, 100, 250).missed()).isEqualTo(150); // the old API as before
        assertThat(new Gap(3, -1, 0, 1, "r1", "a", 4, 8, false).missed()).isEqualTo(4);
    }

    @Test
    void shouldHandAGapBeforeTheEventAfterAJumpDropRepeatsAndResumeWithSeq() {
        List<Gap> gaps = new CopyOnWriteArrayList<>();
        String truncated = "{\"type\":\"truncated\",\"channel\":\"a\",\"origin\":\"r1\",\"partition\":3,\"lost\":3,"
                + "\"firstSeq\":10,\"since\":1,\"earliest\":0}";
        try (ScriptedFanout server = new ScriptedFanout(
                sendThenClose(
                        1001,
                        "going away",
                        frame("a", "r1", 1, 101),
                        frame("a", "r1", 2, 102),
                        frame("a", "r1", 5, 105)),
                // another instance repeats the last one, then says three were deleted
                sendAndStay(frame("a", "r1", 5, 6), truncated, frame("a", "r1", 10, 8)))) {
            FanoutClient client = FanoutClient.builder()
                    .urls(server.url())
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                    .build();
            StepVerifier.create(client.subscribe(
                            List.of("a"), SubscribeOptions.live().onGap(gaps::add)))
                    .assertNext(e -> assertThat(e.seq()).isEqualTo(1))
                    .assertNext(e -> assertThat(e.seq()).isEqualTo(2))
                    .assertNext(e -> assertThat(e.seq()).isEqualTo(5))
                    .assertNext(e -> assertThat(e.seq()).isEqualTo(10))
                    .thenCancel()
                    .verify(WAIT);
            assertThat(gaps)
                    .containsExactly(
                            new Gap(3, -1, 105, -1, "r1", "a", 2, 5, true),
                            new Gap(3, -1, 0, 1, "r1", "a", 3, 10, false));
            assertThat(server.requests)
                    .containsExactly(
                            "/events?channel=a", "/events?channel=a&cursor=" + cursor("r1", 5) + "&seq=a~r1~5");
            assertThat(client.duplicatesDropped()).isEqualTo(1);
        }
    }

    @Test
    void shouldEndWithAGapExceptionNamingTheChannelWhenNobodyHandlesAGapFoundBySeq() {
        try (ScriptedFanout server =
                new ScriptedFanout(sendAndStay(frame("a", "r1", 1, 101), frame("a", "r1", 4, 104)))) {
            FanoutClient client = FanoutClient.builder().urls(server.url()).build();
            StepVerifier.create(client.subscribe(List.of("a"), SubscribeOptions.live()))
                    .assertNext(e -> assertThat(e.seq()).isEqualTo(1))
                    .expectErrorSatisfies(error -> {
                        assertThat(error).isInstanceOf(GapException.class);
                        assertThat(((GapException) error).gap().missed()).isEqualTo(2);
                        assertThat(error.getMessage()).contains("2 of channel a from r1 never came (seq 2..3)");
                    })
                    .verify(WAIT);
        }
    }
}
