package io.fanout.client;

import static io.fanout.client.ScriptedFanout.event;
import static io.fanout.client.ScriptedFanout.sendAndStay;
import static io.fanout.client.ScriptedFanout.sendThenClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.client.StateChange.State;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/** The subscription's reactions to each kind of frame and close, against a scripted server. */
class SubscriptionProtocolTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static FanoutClient client(String... urls) {
        return FanoutClient.builder()
                .urls(urls)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .build();
    }

    @Test
    void shouldHandGapsToTheGapHandlerAndNotAskForTheLostRangeAgain() {
        List<Gap> gaps = new CopyOnWriteArrayList<>();
        try (ScriptedFanout server = new ScriptedFanout(
                sendThenClose(
                        1001,
                        "going away",
                        "{\"type\":\"truncated\",\"partition\":3,\"requested\":100,\"earliest\":250}",
                        event("a", 3, 250)),
                sendAndStay(event("a", 3, 251)))) {
            StepVerifier.create(client(server.url())
                            .subscribe(List.of("a"), SubscribeOptions.from(100).onGap(gaps::add)))
                    .assertNext(e -> assertThat(e.offset()).isEqualTo(250))
                    .assertNext(e -> assertThat(e.offset()).isEqualTo(251))
                    .thenCancel()
                    .verify(WAIT);
            assertThat(gaps).containsExactly(new Gap(3, 100, 250));
            assertThat(server.requests).containsExactly("/events?channel=a&from=100", "/events?channel=a&from=3:251");
        }
    }

    @Test
    void shouldEndWithAGapExceptionWhenNobodyHandlesGaps() {
        try (ScriptedFanout server = new ScriptedFanout(sendAndStay(
                event("a", 3, 90), "{\"type\":\"truncated\",\"partition\":3,\"requested\":91,\"earliest\":250}"))) {
            StepVerifier.create(client(server.url()).subscribe(List.of("a"), SubscribeOptions.from(90)))
                    .expectNextCount(1)
                    .expectErrorSatisfies(error -> {
                        assertThat(error).isInstanceOf(GapException.class);
                        assertThat(((GapException) error).gap()).isEqualTo(new Gap(3, 91, 250));
                        assertThat(((GapException) error).resumeFrom()).isEqualTo("3:250");
                    })
                    .verify(WAIT);
        }
    }

    @Test
    void shouldResumeAfterTheLastEventOnEveryPartitionOfSeveralChannels() {
        List<StateChange> states = new CopyOnWriteArrayList<>();
        try (ScriptedFanout server = new ScriptedFanout(
                sendThenClose(4000, "slow consumer", event("a", 1, 7), event("b", 4, 40), event("a", 1, 8)),
                sendAndStay(event("b", 4, 41)))) {
            StepVerifier.create(client(server.url())
                            .subscribe(
                                    List.of("a", "b"), SubscribeOptions.last(2).onState(states::add)))
                    .expectNextCount(4)
                    .thenCancel()
                    .verify(WAIT);
            assertThat(server.requests)
                    .containsExactly("/events?channel=a&channel=b&last=2", "/events?channel=a&channel=b&from=1:9,4:41");
            StateChange disconnected = states.stream()
                    .filter(s -> s.state() == State.DISCONNECTED)
                    .findFirst()
                    .orElseThrow();
            assertThat(disconnected.code()).isEqualTo(4000);
            assertThat(states.stream().filter(s -> s.state() == State.CONNECTED).map(StateChange::resumedFrom))
                    .containsExactly(null, "from=1:9,4:41");
        }
    }

    @Test
    void shouldResumeFromTheSubscribedPositionWhenNoEventArrivedYet() {
        try (ScriptedFanout server = new ScriptedFanout(
                sendThenClose(
                        1011,
                        "internal error",
                        "{\"type\":\"subscribed\",\"channels\":[\"a\",\"b\"],\"position\":\"1:7,4:40\"}"),
                sendAndStay(event("a", 1, 7)))) {
            StepVerifier.create(client(server.url()).subscribe(List.of("a", "b"), SubscribeOptions.live()))
                    .expectNextCount(1)
                    .thenCancel()
                    .verify(WAIT);
            assertThat(server.requests)
                    .containsExactly("/events?channel=a&channel=b", "/events?channel=a&channel=b&from=1:7,4:40");
        }
    }

    @Test
    void shouldDropRepeatsWhenItMustResumeWithItsFirstCursor() {
        try (ScriptedFanout server = new ScriptedFanout(
                sendThenClose(1001, "", event("a", 1, 7), event("a", 1, 8)),
                sendAndStay(event("a", 1, 7), event("a", 1, 8), event("b", 4, 40), event("a", 1, 9)))) {
            StepVerifier.create(client(server.url())
                            .subscribe(List.of("a", "b"), SubscribeOptions.last(2))
                            .map(e -> e.partition() + ":" + e.offset()))
                    .expectNext("1:7", "1:8", "4:40", "1:9")
                    .thenCancel()
                    .verify(WAIT);
            assertThat(server.requests.get(1)).endsWith("&last=2");
        }
    }

    @Test
    void shouldMoveToTheNextUrlWhenOneRefusesConnections() {
        List<StateChange> states = new CopyOnWriteArrayList<>();
        try (ScriptedFanout server = new ScriptedFanout(sendAndStay(event("a", 0, 1)))) {
            StepVerifier.create(client("ws://127.0.0.1:1", server.url())
                            .subscribe(List.of("a"), SubscribeOptions.live().onState(states::add)))
                    .expectNextCount(1)
                    .thenCancel()
                    .verify(WAIT);
            assertThat(states)
                    .extracting(StateChange::state)
                    .startsWith(State.CONNECTING, State.DISCONNECTED, State.CONNECTING, State.CONNECTED);
            assertThat(states.get(1).url()).hasToString("ws://127.0.0.1:1");
            assertThat(states.get(3).url()).hasToString(server.url());
        }
    }

    @Test
    void shouldErrorOn1008WithoutReconnecting() {
        try (ScriptedFanout server = new ScriptedFanout(sendThenClose(1008, "token expired", event("a", 0, 1)))) {
            StepVerifier.create(client(server.url()).subscribe(List.of("a"), SubscribeOptions.live()))
                    .expectNextCount(1)
                    .expectErrorSatisfies(error -> {
                        assertThat(error).isInstanceOf(SubscriptionRefusedException.class);
                        assertThat(((SubscriptionRefusedException) error).code())
                                .isEqualTo(1008);
                        assertThat(((SubscriptionRefusedException) error).reason())
                                .isEqualTo("token expired");
                    })
                    .verify(WAIT);
            assertThat(server.requests).hasSize(1);
        }
    }

    @Test
    void shouldReportCatchingUpAndLiveAsStates() {
        List<StateChange> states = new CopyOnWriteArrayList<>();
        try (ScriptedFanout server = new ScriptedFanout(
                sendAndStay("{\"type\":\"catching-up\"}", event("a", 0, 1), "{\"type\":\"live\"}", event("a", 0, 2)))) {
            StepVerifier.create(client(server.url())
                            .subscribe(List.of("a"), SubscribeOptions.live().onState(states::add)))
                    .expectNextCount(2)
                    .thenCancel()
                    .verify(WAIT);
            assertThat(states)
                    .extracting(StateChange::state)
                    .containsExactly(State.CONNECTING, State.CONNECTED, State.CATCHING_UP, State.LIVE);
        }
    }

    @Test
    void shouldEmitOnlyWhatIsRequestedAndReadOnWhenMoreIsAsked() {
        String[] frames = new String[50];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = event("a", 0, i);
        }
        try (ScriptedFanout server = new ScriptedFanout(sendAndStay(frames))) {
            StepVerifier.create(client(server.url()).subscribe(List.of("a"), SubscribeOptions.live()), 3)
                    .expectNextCount(3)
                    .expectNoEvent(Duration.ofMillis(300))
                    .thenRequest(47)
                    .expectNextCount(47)
                    .thenCancel()
                    .verify(WAIT);
        }
    }

    @Test
    void shouldDropAConnectionThatAnswersNoPingsAndConnectAgain() throws Exception {
        List<StateChange> states = new CopyOnWriteArrayList<>();
        try (SilentServer server = new SilentServer()) {
            FanoutClient client = FanoutClient.builder()
                    .urls(server.url())
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                    .pingInterval(Duration.ofMillis(200))
                    .build();
            Disposable subscription = client.subscribe(
                            List.of("a"), SubscribeOptions.live().onState(states::add))
                    .subscribe();
            try {
                await().atMost(WAIT).until(() -> server.accepted.size() >= 2);
            } finally {
                subscription.dispose();
            }
            StateChange dropped = states.stream()
                    .filter(s -> s.state() == State.DISCONNECTED)
                    .findFirst()
                    .orElseThrow();
            assertThat(dropped.code()).isEqualTo(1006);
            assertThat(dropped.reason()).startsWith("no answer to pings");
        }
    }
}
