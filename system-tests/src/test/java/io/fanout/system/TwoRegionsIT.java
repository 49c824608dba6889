package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.testsupport.TestKafka;
import io.fanout.testsupport.WsTestClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;

/**
 * Two regions on real brokers: two in-process KRaft clusters, MirrorMaker 2 between them in both directions
 * (in-process, DefaultReplicationPolicy), and both services of each region on random ports, region r2 reading
 * {@code r1.<topic>} and region r1 reading {@code r2.<topic>}. A subscriber of either region receives the events
 * of both exactly once, each region's in publish order; a subscriber moves between regions with its cursor and
 * loses nothing, repeats nothing (over WebSocket with {@code cursor=}, over SSE with {@code Last-Event-ID}); a cursor
 * whose event is not in the region gets {@code cursor-ahead} and close
 * 4001; one whose event left the region by retention gets {@code truncated} with the origin.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoRegionsIT {

    private static final int PARTITIONS = 4;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static TwoRegions regions;
    private static String topic;
    private static Platform region1;
    private static Platform region2;

    @BeforeAll
    static void startTwoRegions() throws Exception {
        regions = TwoRegions.start("fanout.events.regions", PARTITIONS);
        topic = regions.topic();
        region1 = regions.region1();
        region2 = regions.region2();
        // both directions replicate and both fan-outs follow their mirror topic: a probe crosses each way
        for (Platform from : List.of(region1, region2)) {
            Platform to = from == region1 ? region2 : region1;
            String probe = "probe." + UUID.randomUUID();
            try (WsTestClient subscriber = subscribe(to, "channel=" + probe)) {
                await().atMost(WAIT).untilAsserted(() -> {
                    new Publisher(from).push(probe, "\"probe\"");
                    assertThat(subscriber.poll(Duration.ofSeconds(2))).isNotNull();
                });
            }
        }
    }

    @AfterAll
    static void stopTwoRegions() {
        if (regions != null) {
            regions.close();
        }
    }

    private static WsTestClient subscribe(Platform region, String query) {
        WsTestClient client = WsTestClient.connect(region.events(query));
        try {
            assertThat(client.controls().poll(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                    .as("subscribed frame")
                    .startsWith("{\"type\":\"subscribed\"");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return client;
    }

    private static String encoded(String cursor) {
        return URLEncoder.encode(cursor, StandardCharsets.UTF_8);
    }

    /** Messages published in a region: {@code "r1-7"}, the origin and the index. */
    private static List<String> messages(List<String> frames) {
        return frames.stream()
                .map(Json::parse)
                .map(frame -> frame.get("message").stringValue())
                .toList();
    }

    /** Asserts that each origin's messages arrive in publish order, with the origin the frame names. */
    private static void assertInRegionOrder(List<String> frames) {
        Map<String, Integer> lastIndex = new HashMap<>();
        for (String text : frames) {
            JsonNode frame = Json.parse(text);
            String[] message = frame.get("message").stringValue().split("-");
            assertThat(frame.get("origin").stringValue()).isEqualTo(message[0]);
            assertThat(frame.get("cursor").stringValue())
                    .startsWith("1." + frame.get("partition").intValue() + ".");
            int index = Integer.parseInt(message[1]);
            Integer before = lastIndex.put(message[0], index);
            assertThat(before == null || before < index)
                    .as("%s after %s of %s", index, before, message[0])
                    .isTrue();
        }
    }

    @Test
    @Order(1)
    void shouldDeliverEveryEventOfBothRegionsExactlyOnceInEachRegionsOrder() throws Exception {
        String channel = "regions.both." + UUID.randomUUID();
        try (WsTestClient inRegion1 = subscribe(region1, "channel=" + channel);
                WsTestClient inRegion2 = subscribe(region2, "channel=" + channel)) {
            Publisher publisher1 = new Publisher(region1);
            Publisher publisher2 = new Publisher(region2);
            Set<String> published = new LinkedHashSet<>();
            for (int i = 0; i < 15; i++) {
                publisher1.push(channel, "\"r1-" + i + "\"");
                publisher2.push(channel, "\"r2-" + i + "\"");
                published.add("r1-" + i);
                published.add("r2-" + i);
            }
            for (WsTestClient subscriber : List.of(inRegion1, inRegion2)) {
                List<String> frames = subscriber.take(published.size(), WAIT);
                assertThat(messages(frames)).containsExactlyInAnyOrderElementsOf(published);
                assertInRegionOrder(frames);
            }
            // nothing more (no copy looping back): the next frame each gets is the next event
            publisher2.push(channel, "\"r2-end\"");
            assertThat(messages(inRegion1.take(1, WAIT))).containsExactly("r2-end");
            assertThat(messages(inRegion2.take(1, WAIT))).containsExactly("r2-end");
        }
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.secondBootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).contains("r1." + topic).doesNotContain("r2.r1." + topic);
        }
    }

    @Test
    @Order(2)
    void shouldMoveASubscriberToTheOtherRegionByCursorWithNothingLostAndNothingRepeated() throws Exception {
        String channel = "regions.move." + UUID.randomUUID();
        int perRegion = 40;
        List<String> received = new ArrayList<>();
        String cursor;
        CompletableFuture<Void> publishing;
        try (WsTestClient inRegion1 = subscribe(region1, "channel=" + channel)) {
            // both regions keep publishing while the subscriber moves
            publishing = CompletableFuture.runAsync(() -> {
                Publisher publisher1 = new Publisher(region1);
                Publisher publisher2 = new Publisher(region2);
                for (int i = 0; i < perRegion; i++) {
                    publisher1.push(channel, "\"r1-" + i + "\"");
                    publisher2.push(channel, "\"r2-" + i + "\"");
                }
            });
            List<String> before = inRegion1.take(25, WAIT);
            received.addAll(before);
            cursor = Json.parse(before.get(before.size() - 1)).get("cursor").stringValue();
        }
        List<String> after = resumeInRegion2(channel, cursor, 2 * perRegion - received.size());
        publishing.get();
        received.addAll(after);
        assertThat(messages(received)).doesNotHaveDuplicates().hasSize(2 * perRegion);
        assertInRegionOrder(received);
    }

    /** Resumes in region 2 with {@code cursor}, retrying after a pause while it is ahead of the region (4001). */
    private static List<String> resumeInRegion2(String channel, String cursor, int count) throws Exception {
        List<String> frames = new CopyOnWriteArrayList<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            try (WsTestClient moved =
                    WsTestClient.connect(region2.events("channel=" + channel + "&cursor=" + encoded(cursor)))) {
                List<String> taken = new ArrayList<>();
                while (taken.size() < count) {
                    String frame = moved.poll(WAIT);
                    assertThat(frame).as("frame %s of %s", taken.size(), count).isNotNull();
                    if (frame.startsWith("{\"type\":\"cursor-ahead\"")) {
                        assertThat(moved.awaitClose(WAIT).code()).isEqualTo(4001);
                        return false; // not mirrored yet: retry with the same cursor
                    }
                    taken.add(frame);
                }
                frames.addAll(taken);
                return true;
            }
        });
        return Collections.unmodifiableList(frames);
    }

    @Test
    @Order(3)
    void shouldResumeASubscriberThatGotOnlyItsSubscribedFrameByThatFramesCursorInTheOtherRegionExactlyOnce()
            throws Exception {
        String channel = "regions.subscribed." + UUID.randomUUID();
        String cursor;
        try (WsTestClient first = WsTestClient.connect(region1.events("channel=" + channel))) {
            String text = first.controls().poll(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertThat(text).as("subscribed frame").startsWith("{\"type\":\"subscribed\"");
            JsonNode subscribed = Json.parse(text);
            assertThat(subscribed.has("cursor")).as("a cursor in %s", text).isTrue();
            cursor = subscribed.get("cursor").stringValue();
            assertThat(cursor).startsWith("1.");
        } // it leaves before any event: a position list of region 1 would not resume it in region 2
        int perRegion = 10;
        Set<String> published = new LinkedHashSet<>();
        Publisher publisher1 = new Publisher(region1);
        Publisher publisher2 = new Publisher(region2);
        for (int i = 0; i < perRegion; i++) {
            publisher1.push(channel, "\"r1-" + i + "\"");
            publisher2.push(channel, "\"r2-" + i + "\"");
            published.add("r1-" + i);
            published.add("r2-" + i);
        }
        List<String> frames = new CopyOnWriteArrayList<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            try (WsTestClient moved =
                    WsTestClient.connect(region2.events("channel=" + channel + "&cursor=" + encoded(cursor)))) {
                List<String> taken = new ArrayList<>();
                while (taken.size() < published.size()) {
                    String frame = moved.poll(WAIT);
                    assertThat(frame)
                            .as("frame %s of %s", taken.size(), published.size())
                            .isNotNull();
                    if (frame.startsWith("{\"type\":\"cursor-ahead\"")) {
                        assertThat(moved.awaitClose(WAIT).code()).isEqualTo(4001);
                        return false; // not mirrored yet: retry with the same cursor
                    }
                    taken.add(frame);
                }
                // every event published meanwhile came, and nothing twice: the next frame is the next event
                publisher2.push(channel, "\"r2-" + perRegion + "\"");
                taken.add(moved.poll(WAIT));
                frames.addAll(taken);
                return true;
            }
        });
        List<String> received = messages(frames);
        assertThat(received.subList(0, published.size())).containsExactlyInAnyOrderElementsOf(published);
        assertThat(received.get(published.size())).isEqualTo("r2-" + perRegion);
        assertInRegionOrder(frames);
    }

    @Test
    @Order(4)
    void shouldResumeAnSseStreamInTheOtherRegionThroughLastEventId() throws Exception {
        String channel = "regions.sse." + UUID.randomUUID();
        Publisher publisher1 = new Publisher(region1);
        Publisher publisher2 = new Publisher(region2);
        for (int i = 0; i < 5; i++) {
            publisher1.push(channel, "\"r1-" + i + "\"");
            publisher2.push(channel, "\"r2-" + i + "\"");
        }
        // region 1 reads both origins from the log (since=0): ten events, each with a cursor as its id
        List<ServerSentEvent<String>> inRegion1 = await().atMost(WAIT)
                .until(() -> sse(region1, "channel=" + channel + "&since=0", null, 10), events -> events.size() == 10);
        assertThat(inRegion1).allSatisfy(event -> assertThat(event.id()).startsWith("1."));
        List<String> first = inRegion1.stream().map(ServerSentEvent::data).toList();
        String lastEventId = inRegion1.get(3).id();
        List<ServerSentEvent<String>> inRegion2 = await().atMost(WAIT)
                .until(() -> sse(region2, "channel=" + channel, lastEventId, 6), events -> events.size() == 6);
        List<String> all = new ArrayList<>(first.subList(0, 4));
        inRegion2.forEach(event -> all.add(event.data()));
        assertThat(messages(all)).doesNotHaveDuplicates().hasSize(10);
        assertInRegionOrder(all);
    }

    /**
     * Up to {@code count} events of an SSE stream ({@code event: message}), fewer when the server ends it first (an
     * {@code event: error}, e.g. after {@code cursor-ahead}).
     */
    private static List<ServerSentEvent<String>> sse(Platform region, String query, String lastEventId, int count) {
        return WebClient.create("http://127.0.0.1:" + region.fanoutPort())
                .get()
                .uri("/sse?" + query)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .headers(h -> {
                    if (lastEventId != null) {
                        h.set("Last-Event-ID", lastEventId);
                    }
                })
                .retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .takeUntil(event -> "error".equals(event.event()))
                .filter(event -> "message".equals(event.event()))
                .take(count)
                .collectList()
                .block(WAIT);
    }

    @Test
    @Order(5)
    void shouldSayCursorAheadAndCloseWhenTheCursorsEventHasNotReachedTheRegion() throws Exception {
        String channel = "regions.ahead." + UUID.randomUUID();
        JsonNode ack = new Publisher(region2).push(channel, "\"r2-0\"");
        int partition = ack.get("partition").intValue();
        // an event of r1 that region 2 has not seen: a time after everything here, an id nobody published
        String cursor = "1." + partition + ".r1~" + Long.toString(System.currentTimeMillis() + 60_000, 36) + "~b"
                + java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        try (WsTestClient client =
                WsTestClient.connect(region2.events("channel=" + channel + "&cursor=" + encoded(cursor)))) {
            JsonNode frame = Json.parse(client.take(1, WAIT).get(0));
            assertThat(frame.get("type").stringValue()).isEqualTo("cursor-ahead");
            assertThat(frame.get("origin").stringValue()).isEqualTo("r1");
            assertThat(frame.get("detail").stringValue()).contains("retry");
            WsTestClient.CloseStatus status = client.awaitClose(WAIT);
            assertThat(status.code()).isEqualTo(4001);
        }
    }

    @Test
    @Order(6)
    void shouldSayTruncatedWithTheOriginWhenTheCursorsEventLeftTheRegion() throws Exception {
        String channel = "regions.expired." + UUID.randomUUID();
        String cursor;
        try (WsTestClient inRegion1 = subscribe(region1, "channel=" + channel)) {
            new Publisher(region1).push(channel, "\"r1-0\"");
            cursor = Json.parse(inRegion1.take(1, WAIT).get(0)).get("cursor").stringValue();
        }
        int partition = Integer.parseInt(cursor.split("\\.")[1]);
        TopicPartition mirrored = new TopicPartition("r1." + topic, partition);
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.secondBootstrapServers()))) {
            // the event reached region 2, then retention removed it there
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(admin.listOffsets(Map.of(mirrored, OffsetSpec.latest()))
                                    .partitionResult(mirrored)
                                    .get()
                                    .offset())
                            .isPositive());
            long end = admin.listOffsets(Map.of(mirrored, OffsetSpec.latest()))
                    .partitionResult(mirrored)
                    .get()
                    .offset();
            admin.deleteRecords(Map.of(mirrored, RecordsToDelete.beforeOffset(end)))
                    .all()
                    .get();
        }
        try (WsTestClient moved =
                WsTestClient.connect(region2.events("channel=" + channel + "&cursor=" + encoded(cursor)))) {
            JsonNode notice = Json.parse(moved.take(1, WAIT).get(0));
            assertThat(notice.get("type").stringValue()).isEqualTo("truncated");
            assertThat(notice.get("origin").stringValue()).isEqualTo("r1");
            assertThat(notice.get("partition").intValue()).isEqualTo(partition);
            new Publisher(region1).push(channel, "\"r1-1\"");
            assertThat(messages(moved.take(1, WAIT))).containsExactly("r1-1");
        }
    }
}
