package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fanout.client.Cursors;
import io.fanout.client.Event;
import io.fanout.client.FanoutClient;
import io.fanout.client.PublishAck;
import io.fanout.client.PublishException;
import io.fanout.client.StateChange;
import io.fanout.client.StateChange.State;
import io.fanout.client.SubscribeOptions;
import io.fanout.client.SubscriptionRefusedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The Java client (clients/java) against both services and the real broker: publish and subscribe, history,
 * several channels, refusals, resume across a fan-out instance killed with SIGKILL (restarted on its port, or
 * replaced by the next URL; and 40 clients of an instance killed under load moving to the two others), a stored
 * cursor position carried to another instance, and close 4001 for a cursor whose event is not there.
 */
class JavaClientIT {

    private static final Duration WAIT = Duration.ofSeconds(120);

    private final Platform platform = Platform.get();

    private static String channel() {
        return "java." + UUID.randomUUID();
    }

    private FanoutClient client(String... fanoutUrls) {
        return FanoutClient.builder()
                .urls(fanoutUrls.length > 0 ? List.of(fanoutUrls) : List.of("ws://127.0.0.1:" + platform.fanoutPort()))
                .ingestUrl("http://127.0.0.1:" + platform.ingestPort())
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .build();
    }

    /** Subscribes in the background; the list fills as events arrive, {@code error} holds how it ended. */
    private record Collected(
            List<Event> events, List<StateChange> states, AtomicReference<Throwable> error, Disposable subscription)
            implements AutoCloseable {

        static Collected of(FanoutClient client, List<String> channels, SubscribeOptions options) {
            List<Event> events = new CopyOnWriteArrayList<>();
            List<StateChange> states = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> error = new AtomicReference<>();
            Disposable subscription =
                    client.subscribe(channels, options.onState(states::add)).subscribe(events::add, error::set);
            return new Collected(events, states, error, subscription);
        }

        void awaitEvents(int n) {
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(error.get()).isNull();
                assertThat(events).hasSizeGreaterThanOrEqualTo(n);
            });
        }

        void awaitConnected() {
            await().atMost(WAIT).until(() -> states.stream().anyMatch(s -> s.state() == State.CONNECTED));
        }

        List<Integer> numbers(String channel) {
            return events.stream()
                    .filter(e -> e.channel().equals(channel))
                    .map(e -> e.message().get("n").asInt())
                    .toList();
        }

        @Override
        public void close() {
            subscription.dispose();
        }
    }

    /** Publishes {"n": from..to-1} one after another, a little apart, so that a kill lands mid-stream. */
    private static Flux<PublishAck> steadily(FanoutClient client, String channel, int from, int to) {
        return Flux.range(from, to - from)
                .concatMap(n -> client.publish(channel, Map.of("n", n), null).delaySubscription(Duration.ofMillis(20)));
    }

    @Test
    void shouldDeliverAPublishToALiveSubscriberWithTheAckedPosition() {
        FanoutClient client = client();
        String channel = channel();
        try (Collected subscriber = Collected.of(client, List.of(channel), SubscribeOptions.live())) {
            subscriber.awaitConnected();
            PublishAck ack = client.publish(channel, Map.of("text", "the dude abides"), null)
                    .block(WAIT);
            subscriber.awaitEvents(1);
            Event event = subscriber.events().get(0);
            assertThat(event.channel()).isEqualTo(channel);
            assertThat(event.partition()).isEqualTo(ack.partition());
            assertThat(event.offset()).isEqualTo(ack.offset());
            assertThat(event.id()).isEqualTo(ack.id());
            assertThat(event.message()).isEqualTo(ack.message());
            assertThat(event.message().get("text").asString()).isEqualTo("the dude abides");
        }
    }

    @Test
    void shouldReplayTheLastNEventsThenGoLive() {
        FanoutClient client = client();
        String channel = channel();
        steadily(client, channel, 0, 5).blockLast(WAIT);
        try (Collected subscriber = Collected.of(client, List.of(channel), SubscribeOptions.last(3))) {
            subscriber.awaitEvents(3);
            client.publish(channel, Map.of("n", 5), null).block(WAIT);
            subscriber.awaitEvents(4);
            assertThat(subscriber.numbers(channel)).containsExactly(2, 3, 4, 5);
        }
    }

    @Test
    void shouldFollowSeveralChannelsEachInPublishOrder() {
        FanoutClient client = client();
        List<String> channels = List.of(channel(), channel(), channel());
        try (Collected subscriber = Collected.of(client, channels, SubscribeOptions.live())) {
            subscriber.awaitConnected();
            for (int n = 0; n < 10; n++) {
                for (String channel : channels) {
                    client.publish(channel, Map.of("n", n), null).block(WAIT);
                }
            }
            subscriber.awaitEvents(30);
            for (String channel : channels) {
                assertThat(subscriber.numbers(channel)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            }
        }
    }

    @Test
    void shouldAnswerARepeatedIdempotencyKeyWithTheFirstAck() {
        FanoutClient client = client();
        String channel = channel();
        PublishAck first =
                client.publish(channel, Map.of("order", 1), "key-" + channel).block(WAIT);
        PublishAck again =
                client.publish(channel, Map.of("order", 1), "key-" + channel).block(WAIT);
        assertThat(again).isEqualTo(first);
    }

    @Test
    void shouldSignalTheServersDetailWhenAPublishIsRefused() {
        assertThatThrownBy(() ->
                        client().publish("no/slashes", Map.of("x", 1), null).block(WAIT))
                .isInstanceOfSatisfying(PublishException.class, refused -> {
                    assertThat(refused.status()).isEqualTo(400);
                    assertThat(refused.detail()).contains("'/'");
                });
    }

    @Test
    void shouldErrorWithoutRetryingWhenTheServerRefusesWith1008() {
        try (Collected subscriber = Collected.of(client(), List.of("no/slashes"), SubscribeOptions.live())) {
            await().atMost(WAIT).until(() -> subscriber.error().get() != null);
            assertThat(subscriber.error().get()).isInstanceOfSatisfying(SubscriptionRefusedException.class, refused -> {
                assertThat(refused.code()).isEqualTo(1008);
                assertThat(refused.reason()).contains("bad channel");
            });
            assertThat(subscriber.states())
                    .extracting(StateChange::state)
                    .containsExactly(State.CONNECTING, State.CONNECTED, State.CLOSED);
        }
    }

    @Test
    void shouldDeliverEveryEventOnceInOrderAcrossAKillAndARestart() throws Exception {
        FanoutProcess instance = platform.startAnotherFanout();
        try {
            FanoutClient client = client(instance.url());
            String channel = channel();
            List<PublishAck> acks = new CopyOnWriteArrayList<>();
            acks.add(client.publish(channel, Map.of("n", 0), null).block(WAIT));
            // from the first ack: a freshly started instance may still be finding the log end for live events
            try (Collected subscriber = Collected.of(
                    client, List.of(channel), SubscribeOptions.from(acks.get(0).offset()))) {
                Disposable publishing = steadily(client, channel, 1, 30).subscribe(acks::add);
                subscriber.awaitEvents(10);
                instance.kill(); // SIGKILL mid-stream: no close frame
                int beforeKill = subscriber.events().size();
                instance = instance.restart();
                await().atMost(WAIT).until(publishing::isDisposed);
                steadily(client, channel, 30, 60).doOnNext(acks::add).blockLast(WAIT); // while it resumes
                subscriber.awaitEvents(60);

                assertThat(beforeKill).isLessThan(30);
                assertThat(subscriber.numbers(channel)).containsExactlyElementsOf(range(60));
                assertThat(subscriber.events())
                        .extracting(Event::offset)
                        .containsExactlyElementsOf(
                                acks.stream().map(PublishAck::offset).toList());
                StateChange broken = subscriber.states().stream()
                        .filter(s -> s.state() == State.DISCONNECTED)
                        .findFirst()
                        .orElseThrow();
                assertThat(broken.code()).isEqualTo(1006);
                assertThat(subscriber.states().stream()
                                .filter(s -> s.state() == State.CONNECTED)
                                .toList()
                                .get(1)
                                .resumedFrom())
                        .startsWith("cursor=");
            }
        } finally {
            instance.kill();
        }
    }

    @Test
    void shouldFailOverToTheNextUrlWhenAnInstanceIsKilled() throws Exception {
        try (FanoutProcess instance = platform.startAnotherFanout()) {
            String survivor = "ws://127.0.0.1:" + platform.fanoutPort();
            FanoutClient client = client(instance.url(), survivor);
            String channel = channel();
            PublishAck first = client.publish(channel, Map.of("n", 0), null).block(WAIT);
            try (Collected subscriber = Collected.of(client, List.of(channel), SubscribeOptions.from(first.offset()))) {
                Disposable publishing = steadily(client, channel, 1, 60).subscribe();
                subscriber.awaitEvents(10);
                instance.kill();
                await().atMost(WAIT).until(publishing::isDisposed);
                subscriber.awaitEvents(60);

                assertThat(subscriber.numbers(channel)).containsExactlyElementsOf(range(60));
                List<StateChange> connections = subscriber.states().stream()
                        .filter(s -> s.state() == State.CONNECTED)
                        .toList();
                assertThat(connections.get(0).url()).hasToString(instance.url());
                assertThat(connections.get(connections.size() - 1).url()).hasToString(survivor);
            }
        }
    }

    @Test
    void shouldCarryOnFromStoredCursorsOnAnotherInstanceWithNothingLostOrRepeated() throws Exception {
        try (FanoutProcess other = platform.startAnotherFanout()) {
            FanoutClient client = client();
            List<String> channels = List.of(channel(), channel());
            Map<String, List<Long>> acked = Map.of(
                    channels.get(0), new CopyOnWriteArrayList<>(), channels.get(1), new CopyOnWriteArrayList<>());
            Cursors position = new Cursors(); // what the program keeps, e.g. in its database
            List<Event> taken = new CopyOnWriteArrayList<>();
            try (Collected first = Collected.of(client, channels, SubscribeOptions.live())) {
                first.awaitConnected();
                publishRound(client, channels, 0, 5, acked);
                first.awaitEvents(10);
                first.events().forEach(position::advance);
                taken.addAll(first.events());
            } // the program goes away mid-stream
            publishRound(client, channels, 5, 10, acked); // while nobody is connected
            List<String> stored = position.values();
            assertThat(stored).hasSize((int)
                    taken.stream().map(Event::partition).distinct().count());

            FanoutClient elsewhere = client(other.url());
            try (Collected second =
                    Collected.of(elsewhere, channels, Cursors.of(stored).options())) {
                second.awaitConnected();
                publishRound(client, channels, 10, 13, acked);
                second.awaitEvents(16);
                taken.addAll(second.events());
                assertThat(second.events())
                        .allSatisfy(e -> assertThat(e.cursor()).isNotNull());
            }
            for (String channel : channels) {
                assertThat(taken.stream()
                                .filter(e -> e.channel().equals(channel))
                                .map(Event::offset))
                        .as("every event of %s once, in order", channel)
                        .containsExactlyElementsOf(acked.get(channel));
            }
        }
    }

    @Test
    void shouldReportCursorAheadAndRetryTheSameUrlWhileTheCursorsEventIsNotThere() {
        FanoutClient client = FanoutClient.builder()
                .urls("ws://127.0.0.1:" + platform.fanoutPort())
                .ingestUrl("http://127.0.0.1:" + platform.ingestPort())
                .cursorAhead(2, Duration.ofMillis(50), Duration.ofMillis(200))
                .build();
        String channel = channel();
        String real;
        try (Collected subscriber = Collected.of(client, List.of(channel), SubscribeOptions.live())) {
            subscriber.awaitConnected();
            client.publish(channel, Map.of("n", 0), null).block(WAIT);
            subscriber.awaitEvents(1);
            real = subscriber.events().get(0).cursor();
        }
        // the same time, another event id: an event this region has not seen (yet)
        String ahead = real.replaceFirst("(~[0-9a-z]+~)[A-Za-z0-9_-]+", "$1bbmV2ZXItcHVibGlzaGVk");
        assertThat(ahead).isNotEqualTo(real);
        try (Collected subscriber = Collected.of(client, List.of(channel), SubscribeOptions.cursor(List.of(ahead)))) {
            await().atMost(WAIT)
                    .until(() -> subscriber.states().stream()
                                    .filter(s -> s.state() == State.CURSOR_AHEAD)
                                    .count()
                            >= 3);
            assertThat(subscriber.error().get()).isNull();
            assertThat(subscriber.events()).isEmpty();
            assertThat(subscriber.states().stream().filter(s -> s.state() == State.CURSOR_AHEAD))
                    .allSatisfy(s -> {
                        assertThat(s.code()).isEqualTo(4001);
                        assertThat(s.reason()).contains("r1");
                    });
            assertThat(subscriber.states().stream()
                            .filter(s -> s.state() == State.DISCONNECTED)
                            .map(StateChange::code)
                            .distinct())
                    .containsExactly(4001);
        }
    }

    private static void publishRound(
            FanoutClient client, List<String> channels, int from, int to, Map<String, List<Long>> acked) {
        for (int n = from; n < to; n++) {
            for (String channel : channels) {
                acked.get(channel)
                        .add(client.publish(channel, Map.of("n", n), null)
                                .block(WAIT)
                                .offset());
            }
        }
    }

    @Test
    void shouldMoveEveryClientOfAnInstanceKilledUnderLoadToTheOthersWithNothingLostOrRepeated() throws Exception {
        int clients = 40;
        int perChannel = 150;
        try (FanoutProcess doomed = platform.startAnotherFanout();
                FanoutProcess other = platform.startAnotherFanout()) {
            String main = "ws://127.0.0.1:" + platform.fanoutPort();
            List<String> channels = List.of(channel(), channel(), channel(), channel());
            List<Collected> subscribers = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    // every client starts on the doomed instance; half fail over to the extra one, half to the main
                    String next = i % 2 == 0 ? other.url() : main;
                    subscribers.add(Collected.of(client(doomed.url(), next), channels, SubscribeOptions.live()));
                }
                subscribers.forEach(Collected::awaitConnected);
                FanoutClient publisher = client();
                Disposable publishing = Flux.merge(channels.stream()
                                .map(channel -> steadily(publisher, channel, 0, perChannel))
                                .toList())
                        .subscribe();
                subscribers.forEach(s -> s.awaitEvents(20));
                doomed.kill(); // SIGKILL under load: 40 sockets gone at once, no close frames
                await().atMost(WAIT).until(publishing::isDisposed);
                subscribers.forEach(s -> s.awaitEvents(channels.size() * perChannel));

                for (Collected subscriber : subscribers) {
                    for (String channel : channels) {
                        assertThat(subscriber.numbers(channel))
                                .as("every event of %s once, in order", channel)
                                .containsExactlyElementsOf(range(perChannel));
                    }
                    List<StateChange> connections = subscriber.states().stream()
                            .filter(s -> s.state() == State.CONNECTED)
                            .toList();
                    assertThat(connections.get(0).url()).hasToString(doomed.url());
                    assertThat(connections.get(connections.size() - 1).url())
                            .as("moved to another instance")
                            .doesNotHaveToString(doomed.url());
                }
                Thread.sleep(500); // anything repeated after the last expected event would show here
                subscribers.forEach(s -> assertThat(s.events()).hasSize(channels.size() * perChannel));
            } finally {
                subscribers.forEach(Collected::close);
            }
        }
    }

    private static List<Integer> range(int n) {
        return java.util.stream.IntStream.range(0, n).boxed().toList();
    }
}
