package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.client.Event;
import io.fanout.client.FanoutClient;
import io.fanout.client.Gap;
import io.fanout.client.PublishAck;
import io.fanout.client.StateChange;
import io.fanout.client.StateChange.State;
import io.fanout.client.SubscribeOptions;
import io.fanout.testsupport.TestKafka;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The Java client against a sequencing platform ({@code fanout.sequence.enabled}: ingest's sequencer numbers each
 * channel's events, event frames carry {@code seq}), reached through a {@link TcpRelay} that drops its connection:
 * a client that resumes sends {@code seq=} hints and gets every event once with consecutive seq; a client that had
 * only its {@code subscribed} frame resumes by that frame's cursor and gets exactly what was published since.
 */
class JavaClientSequencedIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Pattern SUBSCRIBED_CURSOR =
            Pattern.compile("\"type\":\"subscribed\"[^}]*\"cursor\":\"([^\"]+)\"");

    private static Platform platform;

    @BeforeAll
    static void start() {
        String input = TestKafka.newTopic("fanout.ingest.client-seq", 4);
        platform = Platform.start(
                "--fanout.sequence.enabled=true",
                "--fanout.sequence.input-topic=" + input,
                "--fanout.sequencer.application-id=fanout-sequencer-client-" + System.nanoTime(),
                "--fanout.sequencer.replication-factor=1");
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    private static String channel(String name) {
        return "java.seq." + name + "." + UUID.randomUUID();
    }

    private static FanoutClient client(String url) {
        return FanoutClient.builder()
                .urls(url)
                .ingestUrl("http://127.0.0.1:" + platform.ingestPort())
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .build();
    }

    private static String decoded(String query) {
        return URLDecoder.decode(query, StandardCharsets.UTF_8);
    }

    private static List<StateChange> connections(List<StateChange> states) {
        return states.stream().filter(s -> s.state() == State.CONNECTED).toList();
    }

    @Test
    void shouldResumeWithTheLastSeqOfEachChannelAfterADroppedConnectionAndGetConsecutiveSeqWithNothingLostOrRepeated()
            throws Exception {
        List<String> channels = List.of(channel("a"), channel("b"));
        List<Event> events = new CopyOnWriteArrayList<>();
        List<StateChange> states = new CopyOnWriteArrayList<>();
        List<Gap> gaps = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<PublishAck> acks = new ArrayList<>();
        try (TcpRelay relay = new TcpRelay(platform.fanoutPort())) {
            FanoutClient client = client(relay.url());
            Disposable subscription = client.subscribe(
                            channels,
                            SubscribeOptions.since(Instant.now().minusSeconds(1))
                                    .onState(states::add)
                                    .onGap(gaps::add))
                    .subscribe(events::add, error::set);
            try {
                await().atMost(WAIT).until(() -> !connections(states).isEmpty());
                publish(client, channels, 0, 10, acks);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(error.get()).isNull();
                    assertThat(events).hasSize(20);
                });

                relay.drop(); // the connection breaks mid-stream; the client reconnects through the relay
                await().atMost(WAIT).until(() -> connections(states).size() >= 2);
                publish(client, channels, 10, 20, acks);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(error.get()).isNull();
                    assertThat(events).hasSizeGreaterThanOrEqualTo(40);
                });
                // the last event of each channel comes after any repeat of the channel's earlier ones
                publish(client, channels, 20, 21, acks);
                await().atMost(WAIT).untilAsserted(() -> assertThat(events).hasSizeGreaterThanOrEqualTo(42));
            } finally {
                subscription.dispose();
            }

            for (String channel : channels) {
                List<Event> got =
                        events.stream().filter(e -> e.channel().equals(channel)).toList();
                assertThat(got)
                        .extracting(Event::seq)
                        .as("seq of %s: 1..21, consecutive", channel)
                        .containsExactlyElementsOf(
                                LongStream.rangeClosed(1, 21).boxed().toList());
                assertThat(got)
                        .extracting(Event::id)
                        .as("every acknowledged publish of %s once, in order", channel)
                        .containsExactlyElementsOf(acks.stream()
                                .filter(a -> a.channel().equals(channel))
                                .map(PublishAck::id)
                                .toList());
            }
            assertThat(events).hasSize(42);
            assertThat(gaps).as("no gap").isEmpty();
            String resumed = decoded(connections(states).get(1).resumedFrom());
            assertThat(resumed).startsWith("cursor=1.");
            String origin = events.get(0).origin();
            for (String channel : channels) {
                assertThat(resumed).as("the resume's seq hints").contains("seq=" + channel + "~" + origin + "~10");
            }
        }
    }

    @Test
    void shouldResumeByTheSubscribedFramesCursorWhenTheConnectionDropsBeforeAnyEvent() throws Exception {
        String channel = channel("subscribed");
        FanoutClient direct = client("ws://127.0.0.1:" + platform.fanoutPort());
        PublishAck before =
                direct.publish(channel, Map.of("before", true), null).block(WAIT);
        // the instance has read the channel's partition up to that event: its subscribed frame can carry the cursor
        Event seen =
                direct.subscribe(List.of(channel), SubscribeOptions.last(1)).blockFirst(WAIT);
        assertThat(seen.id()).isEqualTo(before.id());

        List<Event> events = new CopyOnWriteArrayList<>();
        List<StateChange> states = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<PublishAck> acks = new ArrayList<>();
        try (TcpRelay relay = new TcpRelay(platform.fanoutPort())) {
            FanoutClient client = client(relay.url());
            Disposable subscription = client.subscribe(
                            List.of(channel), SubscribeOptions.live().onState(states::add))
                    .subscribe(events::add, error::set);
            try {
                await().atMost(WAIT)
                        .until(() ->
                                SUBSCRIBED_CURSOR.matcher(relay.fromServer()).find());
                Matcher subscribed = SUBSCRIBED_CURSOR.matcher(relay.fromServer());
                assertThat(subscribed.find()).isTrue();
                String streamCursor = subscribed.group(1);

                relay.refusing(true); // the instance is out of reach while events are published
                relay.drop();
                await().atMost(WAIT).until(() -> states.stream().anyMatch(s -> s.state() == State.DISCONNECTED));
                publish(client, List.of(channel), 0, 10, acks);
                assertThat(events).as("nothing arrived while out of reach").isEmpty();
                relay.refusing(false);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(error.get()).isNull();
                    assertThat(events).hasSizeGreaterThanOrEqualTo(10);
                });
                // a repeat or the event from before would come ahead of the next publish: it is the last thing
                publish(client, List.of(channel), 10, 11, acks);
                await().atMost(WAIT).untilAsserted(() -> assertThat(events).hasSizeGreaterThanOrEqualTo(11));

                assertThat(events)
                        .extracting(Event::id)
                        .as("every event published since it subscribed once, not the one from before (%s)", before.id())
                        .containsExactlyElementsOf(
                                acks.stream().map(PublishAck::id).toList());
                assertThat(events)
                        .extracting(Event::seq)
                        .containsExactlyElementsOf(
                                LongStream.rangeClosed(2, 12).boxed().toList());
                List<StateChange> connections = connections(states);
                assertThat(connections).hasSizeGreaterThanOrEqualTo(2);
                assertThat(decoded(connections.get(connections.size() - 1).resumedFrom()))
                        .as("resumed by the subscribed frame's cursor, not live")
                        .isEqualTo("cursor=" + streamCursor);
            } finally {
                subscription.dispose();
            }
        }
    }

    /** Publishes {"n": from..to-1} to each channel in turn, keeping the acks in publish order. */
    private static void publish(FanoutClient client, List<String> channels, int from, int to, List<PublishAck> acks) {
        for (int n = from; n < to; n++) {
            for (String channel : channels) {
                acks.add(client.publish(channel, Map.of("n", n), null).block(WAIT));
            }
        }
    }
}
