package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.testsupport.TestKafka;
import io.fanout.testsupport.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;

/**
 * Sequencing on ({@code fanout.sequence.enabled}) against the real broker: publishes go to the input topic, ingest's
 * sequencer numbers each channel's events and writes them to the events topic, and subscribers get {@code seq} in
 * their frames, with exact {@code truncated} counts.
 */
class SequencedIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 4;

    private static Platform platform;
    private static Publisher publisher;
    private static final ExecutorService background = Executors.newFixedThreadPool(4);

    @BeforeAll
    static void start() {
        String input = TestKafka.newTopic("fanout.ingest.seq", PARTITIONS);
        platform = Platform.start(
                "--fanout.sequence.enabled=true",
                "--fanout.sequence.input-topic=" + input,
                "--fanout.sequencer.application-id=fanout-sequencer-" + System.nanoTime(),
                "--fanout.sequencer.replication-factor=1");
        publisher = new Publisher(platform);
    }

    @AfterAll
    static void stop() {
        background.shutdownNow();
        if (platform != null) {
            platform.close();
        }
    }

    private static String channel(String name) {
        return "seq." + name + "." + UUID.randomUUID();
    }

    @Test
    void shouldNumberEachChannelsEventsOneToNWithNoGapOrRepeatWhenPublishedConcurrently() throws Exception {
        List<String> channels = List.of(channel("a"), channel("b"), channel("c"), channel("d"));
        int perChannel = 60;
        String query = "channel=" + String.join("&channel=", channels);
        try (WsTestClient client = WsTestClient.connect(platform.events(query))) {
            client.controls().poll(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS); // subscribed
            List<Future<List<JsonNode>>> acks = new ArrayList<>();
            for (String channel : channels) {
                acks.add(background.submit(() -> publisher.numbers(channel, 0, perChannel, 3)));
            }
            Set<String> acked = new HashSet<>();
            for (Future<List<JsonNode>> channelAcks : acks) {
                channelAcks.get().forEach(ack -> acked.add(ack.get("id").stringValue()));
            }

            List<JsonNode> frames = client.take(channels.size() * perChannel, WAIT).stream()
                    .map(Json::parse)
                    .toList();
            Map<String, List<Long>> seqs = new HashMap<>();
            Map<String, List<Integer>> messages = new HashMap<>();
            List<String> ids = new ArrayList<>();
            for (JsonNode frame : frames) {
                String channel = frame.get("channel").stringValue();
                seqs.computeIfAbsent(channel, c -> new ArrayList<>())
                        .add(frame.get("seq").longValue());
                messages.computeIfAbsent(channel, c -> new ArrayList<>())
                        .add(frame.get("message").intValue());
                ids.add(frame.get("id").stringValue());
            }
            List<Long> oneToN = LongStream.rangeClosed(1, perChannel).boxed().toList();
            List<Integer> published =
                    java.util.stream.IntStream.range(0, perChannel).boxed().toList();
            for (String channel : channels) {
                assertThat(seqs.get(channel)).as("seq of %s", channel).containsExactlyElementsOf(oneToN);
                assertThat(messages.get(channel)).as("order of %s", channel).containsExactlyElementsOf(published);
            }
            assertThat(ids).as("every acknowledged push once").doesNotHaveDuplicates();
            assertThat(Set.copyOf(ids)).isEqualTo(acked);
            assertThat(client.poll(Duration.ofMillis(500))).as("nothing more").isNull();
        }
    }

    @Test
    void shouldContinueTheNumberingWithNoGapOrRepeatAcrossSequencerRestarts() throws Exception {
        String channel = channel("restart");
        int total = 120;
        SmartLifecycle sequencer = platform.ingest.getBean("sequencerStreams", SmartLifecycle.class);
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + channel))) {
            client.controls().poll(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS); // subscribed
            Future<List<JsonNode>> acks = background.submit(() -> publisher.numbers(channel, 0, total, 2));
            List<String> received = new ArrayList<>(client.take(20, WAIT));
            sequencer.stop(); // closes Streams and wipes its local state: the next start restores from the changelog
            assertThat(sequencer.isRunning()).isFalse();
            sequencer.start();
            received.addAll(client.take(20, WAIT));
            sequencer.stop();
            sequencer.start();
            Set<String> acked = new HashSet<>();
            acks.get().forEach(ack -> acked.add(ack.get("id").stringValue()));
            received.addAll(client.take(total - received.size(), WAIT));

            List<JsonNode> frames = received.stream().map(Json::parse).toList();
            assertThat(frames)
                    .extracting(frame -> frame.get("seq").longValue())
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, total).boxed().toList());
            assertThat(frames)
                    .extracting(frame -> frame.get("message").intValue())
                    .containsExactlyElementsOf(
                            java.util.stream.IntStream.range(0, total).boxed().toList());
            assertThat(frames.stream()
                            .map(frame -> frame.get("id").stringValue())
                            .toList())
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(acked);
            assertThat(client.poll(Duration.ofMillis(500))).as("nothing more").isNull();
        } finally {
            if (!sequencer.isRunning()) {
                sequencer.start();
            }
        }
    }

    @Test
    void shouldCountExactlyWhatRetentionTookOfTheChannelFromTheClientsSeqHint() throws Exception {
        String channel = channel("truncated");
        publisher.numbers(channel, 0, 10, 10);
        List<JsonNode> frames;
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + channel + "&from=0"))) {
            frames = client.take(10, WAIT).stream().map(Json::parse).toList();
        }
        assertThat(frames)
                .extracting(f -> f.get("seq").longValue())
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        int partition = frames.get(0).get("partition").intValue();
        String origin = frames.get(0).get("origin").stringValue();
        long kept = frames.get(5).get("offset").longValue(); // seq 6 is the first kept
        TestKafka.withAdmin(admin -> admin.deleteRecords(
                        Map.of(new TopicPartition(platform.topic, partition), RecordsToDelete.beforeOffset(kept)))
                .all()
                .toCompletionStage()
                .toCompletableFuture()
                .join());

        // the client has seq 2 and resumes after it
        long resume = frames.get(2).get("offset").longValue();
        String query = "channel=" + channel + "&from=" + resume + "&seq=" + channel + "~" + origin + "~2";
        try (WsTestClient client = WsTestClient.connect(platform.events(query))) {
            List<JsonNode> sent = client.take(7, WAIT).stream().map(Json::parse).toList();
            JsonNode partitionNotice = sent.get(0);
            assertThat(partitionNotice.get("type").stringValue()).isEqualTo("truncated");
            assertThat(partitionNotice.has("channel")).isFalse();
            assertThat(partitionNotice.get("requested").longValue()).isEqualTo(resume);
            assertThat(partitionNotice.get("earliest").longValue()).isEqualTo(kept);

            JsonNode channelNotice = sent.get(1);
            assertThat(channelNotice.get("type").stringValue()).isEqualTo("truncated");
            assertThat(channelNotice.get("channel").stringValue()).isEqualTo(channel);
            assertThat(channelNotice.get("origin").stringValue()).isEqualTo(origin);
            assertThat(channelNotice.get("partition").intValue()).isEqualTo(partition);
            assertThat(channelNotice.get("firstSeq").longValue()).isEqualTo(6);
            assertThat(channelNotice.get("lost").longValue())
                    .as("seq 3, 4 and 5")
                    .isEqualTo(3);

            assertThat(sent.subList(2, 7))
                    .extracting(f -> f.get("seq").longValue())
                    .containsExactly(6L, 7L, 8L, 9L, 10L);
        }
    }

    @Test
    void shouldRefuseAMalformedSeqHintClearly() {
        String channel = channel("bad");
        try (WsTestClient client =
                WsTestClient.connect(platform.events("channel=" + channel + "&seq=" + channel + "~r1~banana"))) {
            WsTestClient.CloseStatus status = client.awaitClose(Duration.ofSeconds(10));
            assertThat(status).isNotNull();
            assertThat(status.code()).isEqualTo(1008);
            assertThat(status.reason()).contains("seq");
        }
        byte[] problem = platform.fanoutClient()
                .get()
                .uri("/sse?channel=" + channel + "&seq=" + channel + "~r1")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.BAD_REQUEST)
                .expectBody()
                .returnResult()
                .getResponseBody();
        JsonNode body = Json.parse(problem);
        assertThat(body.get("status").intValue()).isEqualTo(400);
        assertThat(body.get("detail").stringValue()).contains("seq must be <channel>~<origin>~<n>");
    }
}
