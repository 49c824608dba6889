package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.schemas.Topics;
import io.fanout.testsupport.TestKafka;
import io.fanout.testsupport.WsTestClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Cursors on /events: history first, then live, with no gap and no duplicate at the hand-over. */
class ReplayIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Platform platform = Platform.get();
    private final Publisher publisher = new Publisher(platform);

    private static String channel() {
        return "replay." + UUID.randomUUID();
    }

    private static List<Long> offsets(List<String> frames) {
        return frames.stream().map(f -> Json.parse(f).get("offset").longValue()).toList();
    }

    private static List<Long> ackOffsets(List<JsonNode> acks) {
        return acks.stream().map(a -> a.get("offset").longValue()).toList();
    }

    @Test
    void shouldReplayFromAnOffsetThenGoLive() throws Exception {
        String channel = channel();
        List<JsonNode> acks = publisher.numbers(channel, 0, 20, 7);
        long from = acks.get(5).get("offset").longValue();
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + channel + "&from=" + from))) {
            assertThat(offsets(client.take(15, WAIT))).containsExactlyElementsOf(ackOffsets(acks.subList(5, 20)));
            List<JsonNode> live = publisher.numbers(channel, 20, 25, 5);
            assertThat(offsets(client.take(5, WAIT))).containsExactlyElementsOf(ackOffsets(live));
            assertThat(client.poll(Duration.ofMillis(300))).isNull();
        }
    }

    @Test
    void shouldReplayEventsLargerThanAFetchOfTheLogReaders() throws Exception {
        // each event alone is larger than what a log reader fetches per partition: Kafka hands it over whole
        String channel = channel();
        String text = "x".repeat(3 * Platform.REPLAY_PARTITION_FETCH_KB * 1024);
        List<JsonNode> acks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            acks.add(publisher.push(channel, "{\"n\":" + i + ",\"text\":\"" + text + "\"}"));
        }
        long from = acks.get(1).get("offset").longValue();
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + channel + "&from=" + from))) {
            List<String> frames = client.take(5, WAIT);
            assertThat(offsets(frames)).containsExactlyElementsOf(ackOffsets(acks.subList(1, 6)));
            assertThat(frames.stream()
                            .map(f -> Json.parse(f).get("message").get("text").stringValue())
                            .toList())
                    .allMatch(text::equals);
        }
    }

    @Test
    void shouldReplayTheLastNThenGoLive() throws Exception {
        String channel = channel();
        List<JsonNode> acks = publisher.numbers(channel, 0, 20, 20);
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + channel + "&last=5"))) {
            List<String> frames = client.take(5, WAIT);
            assertThat(frames.stream()
                            .map(f -> Json.parse(f).get("message").intValue())
                            .toList())
                    .containsExactly(15, 16, 17, 18, 19);
            JsonNode live = publisher.push(channel, "\"live\"");
            assertThat(offsets(client.take(1, WAIT)))
                    .containsExactly(live.get("offset").longValue());
        }
    }

    @Test
    void shouldReplayEverythingSinceATimeInMillisOrIso() throws Exception {
        String channel = channel();
        List<JsonNode> first = publisher.numbers(channel, 0, 5, 5);
        // publish times must differ between the two groups for the assertion to mean anything
        long lastOfFirst = first.get(4).get("timestamp").longValue();
        await().until(() -> System.currentTimeMillis() > lastOfFirst);
        List<JsonNode> second = publisher.numbers(channel, 5, 10, 5);
        long since = second.get(0).get("timestamp").longValue();
        assertThat(first.get(4).get("timestamp").longValue()).isLessThan(since);
        for (String value :
                List.of(Long.toString(since), Instant.ofEpochMilli(since).toString())) {
            try (WsTestClient client =
                    WsTestClient.connect(platform.events("channel=" + channel + "&since=" + value))) {
                assertThat(offsets(client.take(5, WAIT))).containsExactlyElementsOf(ackOffsets(second));
                assertThat(client.poll(Duration.ofMillis(300))).isNull();
            }
        }
    }

    @Test
    void shouldHandOverFromHistoryToLiveWithoutGapOrDuplicateUnderAConcurrentPublisher() throws Exception {
        String channel = channel();
        List<JsonNode> acks = new ArrayList<>(publisher.numbers(channel, 0, 100, 10));
        long from = acks.get(0).get("offset").longValue();
        CompletableFuture<List<JsonNode>> concurrent = CompletableFuture.supplyAsync(() -> {
            List<JsonNode> more = new ArrayList<>();
            for (int i = 100; i < 500; i += 4) {
                more.addAll(publisher.numbers(channel, i, i + 4, 4));
            }
            return more;
        });
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + channel + "&from=" + from))) {
            acks.addAll(concurrent.get());
            List<String> frames = client.take(500, WAIT);
            assertThat(offsets(frames)).containsExactlyElementsOf(ackOffsets(acks));
            for (int i = 0; i < 500; i++) {
                assertThat(Json.parse(frames.get(i)).get("message").intValue()).isEqualTo(i);
            }
            assertThat(client.poll(Duration.ofMillis(500))).isNull();
        }
    }

    @Test
    void shouldServeLastNOfAQuietChannelFromTheIndexWithoutReadingItsBusyNeighbour() throws Exception {
        String quiet = channel();
        String busy = sharingPartitionWith(quiet);
        List<JsonNode> quietAcks = publisher.numbers(quiet, 0, 5, 5);
        List<JsonNode> busyAcks = publisher.numbers(busy, 0, 5000, 1000);
        long lastBusy = busyAcks.get(busyAcks.size() - 1).get("offset").longValue();
        // the directory has caught up with the log (its normal state; a lagging one costs a short scan)
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(indexedThrough(quiet)).isGreaterThanOrEqualTo(lastBusy));
        double readBefore = platform.fanoutMeters().value("fanout.replay.records.read");
        double indexBefore = platform.fanoutMeters().value("fanout.replay.last.lookups", "source", "directory");
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + quiet + "&last=3"))) {
            assertThat(offsets(client.take(3, WAIT))).containsExactlyElementsOf(ackOffsets(quietAcks.subList(2, 5)));
        }
        double read = platform.fanoutMeters().value("fanout.replay.records.read") - readBefore;
        assertThat(platform.fanoutMeters().value("fanout.replay.last.lookups", "source", "directory"))
                .isGreaterThan(indexBefore);
        // three seeks of at most one poll each, not a scan through the 5000 records of the busy channel
        assertThat(read).isLessThanOrEqualTo(3 * Platform.REPLAY_POLL_RECORDS);
    }

    @Test
    void shouldSayWhenTheCursorIsOlderThanTheLogThenSendFromTheEarliest() throws Exception {
        String channel = channel();
        List<JsonNode> acks = tenEventsWithTheFirstFiveDeleted(channel);
        long requested = acks.get(0).get("offset").longValue();
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + channel + "&from=" + requested))) {
            JsonNode notice = truncatedThenTheLastFive(client, acks);
            assertThat(notice.get("requested").longValue()).isEqualTo(requested);
        }
    }

    @Test
    void shouldSayWhenASinceIsOlderThanTheEarliestKeptRecordThenSendFromTheEarliest() throws Exception {
        String channel = channel();
        List<JsonNode> acks = tenEventsWithTheFirstFiveDeleted(channel);
        long since = acks.get(0).get("timestamp").longValue();
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + channel + "&since=" + since))) {
            JsonNode notice = truncatedThenTheLastFive(client, acks);
            assertThat(notice.get("since").longValue()).isEqualTo(since);
        }
    }

    /** Publishes ten events to {@code channel} and deletes its partition's records below the sixth. */
    private List<JsonNode> tenEventsWithTheFirstFiveDeleted(String channel) {
        List<JsonNode> acks = publisher.numbers(channel, 0, 10, 10);
        int partition = acks.get(0).get("partition").intValue();
        long earliest = acks.get(5).get("offset").longValue();
        TestKafka.withAdmin(admin -> admin.deleteRecords(
                        Map.of(new TopicPartition(platform.topic, partition), RecordsToDelete.beforeOffset(earliest)))
                .all()
                .toCompletionStage()
                .toCompletableFuture()
                .join());
        return acks;
    }

    /** Asserts a {@code truncated} notice pointing at the sixth event, then the last five events; the notice. */
    private static JsonNode truncatedThenTheLastFive(WsTestClient client, List<JsonNode> acks) throws Exception {
        JsonNode notice = Json.parse(client.take(1, WAIT).get(0));
        assertThat(notice.get("type").stringValue()).isEqualTo("truncated");
        assertThat(notice.get("partition").intValue())
                .isEqualTo(acks.get(0).get("partition").intValue());
        assertThat(notice.get("earliest").longValue())
                .isEqualTo(acks.get(5).get("offset").longValue());
        assertThat(offsets(client.take(5, WAIT))).containsExactlyElementsOf(ackOffsets(acks.subList(5, 10)));
        return notice;
    }

    @Test
    void shouldLoseNothingWhenAClientMovesToAnotherInstanceAfterAKill() throws Exception {
        String channel = channel();
        List<Long> received = new ArrayList<>();
        List<JsonNode> acks = new ArrayList<>(publisher.numbers(channel, 0, 50, 10));
        long first = acks.get(0).get("offset").longValue();
        try (FanoutProcess second = platform.startAnotherFanout();
                // a cursor, so that what the client gets does not hang on when the (cold) instance registers it
                WsTestClient client = WsTestClient.connect(second.events("channel=" + channel + "&from=" + first))) {
            received.addAll(offsets(client.take(50, WAIT.multipliedBy(3))));
            second.kill(); // kill -9: the client is cut off
            acks.addAll(publisher.numbers(channel, 50, 100, 10)); // published while the client is away
            await().atMost(WAIT).until(client::isClosed);
        }
        long resumeFrom = received.get(received.size() - 1) + 1;
        try (WsTestClient client =
                WsTestClient.connect(platform.events("channel=" + channel + "&from=" + resumeFrom))) {
            received.addAll(offsets(client.take(50, WAIT)));
            assertThat(client.poll(Duration.ofMillis(300))).isNull();
        }
        assertThat(received).containsExactlyElementsOf(ackOffsets(acks));
    }

    /** A channel name that Kafka's partitioner puts in the same partition as {@code channel}. */
    private static String sharingPartitionWith(String channel) {
        int target = partition(channel);
        for (int i = 0; ; i++) {
            String candidate = "busy." + i + "." + UUID.randomUUID();
            if (partition(candidate) == target) {
                return candidate;
            }
        }
    }

    private static int partition(String channel) {
        return Topics.partitionOf(channel, Platform.PARTITIONS);
    }

    private long indexedThrough(String channel) {
        byte[] body = platform.ingestClient()
                .get()
                .uri("/channels/{name}/recent", channel)
                .exchange()
                .expectBody()
                .returnResult()
                .getResponseBody();
        JsonNode answer = Json.parse(body);
        return answer.has("indexedThrough") && answer.get("indexedThrough").isNumber()
                ? answer.get("indexedThrough").longValue()
                : -1;
    }
}
