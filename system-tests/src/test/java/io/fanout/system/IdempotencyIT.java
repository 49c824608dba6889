package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.common.publish.IdempotencyKeys;
import io.fanout.testsupport.TestKafka;
import io.fanout.testsupport.WsTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** {@code Idempotency-Key} on POST /push and {@code id} in a WebSocket publish: one write per key, first ack back. */
class IdempotencyIT {

    private static JsonNode push(WebTestClient client, String key, String body) {
        return Json.parse(client.post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", key)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody());
    }

    @Test
    void shouldWriteARetriedPublishOnceAndReturnTheFirstAckAlsoAcrossAnIngestRestart() {
        String topic = TestKafka.newTopic("fanout.events.idem", 3);
        String key = "order-" + UUID.randomUUID();
        String body = "{\"channel\":\"orders\",\"message\":{\"n\":1}}";
        JsonNode first;
        try (Platform ingest = Platform.ingestOnly(topic)) {
            first = push(ingest.ingestClient(), key, body);
            JsonNode retry = push(ingest.ingestClient(), key, body);
            assertThat(retry).isEqualTo(first);
            ingest.ingestClient()
                    .post()
                    .uri("/push")
                    .contentType(MediaType.APPLICATION_JSON)
                    .header("Idempotency-Key", key)
                    .bodyValue("{\"channel\":\"orders\",\"message\":{\"n\":2}}")
                    .exchange()
                    .expectStatus()
                    .isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
            ingest.ingestClient()
                    .post()
                    .uri("/push")
                    .contentType(MediaType.APPLICATION_JSON)
                    .header("Idempotency-Key", "bad key")
                    .bodyValue(body)
                    .exchange()
                    .expectStatus()
                    .isBadRequest();
        }
        try (Platform restarted = Platform.ingestOnly(topic)) {
            JsonNode afterRestart = push(restarted.ingestClient(), key, body);
            assertThat(afterRestart).isEqualTo(first);
            JsonNode other = push(restarted.ingestClient(), key + "-2", body);
            assertThat(other.get("id")).isNotEqualTo(first.get("id"));
        }
        assertThat(recordsWithKey(topic, key)).isEqualTo(1);
    }

    @Test
    void shouldWriteConcurrentDuplicatesOnce() {
        String topic = TestKafka.newTopic("fanout.events.idem", 3);
        String key = "race-" + UUID.randomUUID();
        try (Platform ingest = Platform.ingestOnly(topic)) {
            List<CompletableFuture<JsonNode>> all = IntStream.range(0, 20)
                    .mapToObj(i -> CompletableFuture.supplyAsync(
                            () -> push(ingest.ingestClient(), key, "{\"channel\":\"race\",\"message\":true}")))
                    .toList();
            List<JsonNode> acks = all.stream().map(CompletableFuture::join).toList();
            assertThat(acks).allSatisfy(ack -> assertThat(ack).isEqualTo(acks.get(0)));
        }
        assertThat(recordsWithKey(topic, key)).isEqualTo(1);
    }

    @Test
    void shouldWriteAWebSocketPublishWithAnIdOnce() throws Exception {
        Platform platform = Platform.get();
        String key = "ws-" + UUID.randomUUID();
        try (WsTestClient socket = WsTestClient.connect(platform.events("channel=idem-ws"))) {
            String publish = "{\"message\":\"once\",\"id\":\"" + key + "\"}";
            socket.send(publish);
            socket.send(publish);
            List<String> acks = new java.util.ArrayList<>();
            List<String> events = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                List<String> frames = new java.util.ArrayList<>();
                socket.drainTo(frames);
                frames.forEach(frame -> (frame.contains("\"type\":\"ack\"") ? acks : events).add(frame));
                return acks.size() >= 2;
            });
            assertThat(acks).hasSize(2);
            assertThat(Json.parse(acks.get(1)).get("offset"))
                    .isEqualTo(Json.parse(acks.get(0)).get("offset"));
            // no second event arrives
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                socket.drainTo(events);
                assertThat(events.stream().filter(f -> f.contains("\"once\"")).count())
                        .isEqualTo(1);
            });
        }
        assertThat(recordsWithKey(platform.topic, key)).isEqualTo(1);
    }

    @Test
    void shouldAnswerARetryOnAnotherIngestInstanceWithTheFirstAck() {
        String topic = TestKafka.newTopic("fanout.events.idem", 3);
        String key = "elsewhere-" + UUID.randomUUID();
        String body = "{\"channel\":\"orders\",\"message\":{\"n\":1}}";
        try (Platform first = Platform.ingestOnly(topic);
                Platform second = Platform.ingestOnly(topic)) {
            JsonNode ack = push(first.ingestClient(), key, body);
            JsonNode retry = push(second.ingestClient(), key, body);
            assertThat(retry).isEqualTo(ack);
            second.ingestClient()
                    .post()
                    .uri("/push")
                    .contentType(MediaType.APPLICATION_JSON)
                    .header("Idempotency-Key", key)
                    .bodyValue("{\"channel\":\"orders\",\"message\":{\"n\":2}}")
                    .exchange()
                    .expectStatus()
                    .isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        }
        assertThat(recordsWithKey(topic, key)).isEqualTo(1);
    }

    @Test
    void shouldAnswerAWebSocketRetryOfAnHttpPublishWithTheFirstAck() throws Exception {
        Platform platform = Platform.get();
        String key = "http-then-ws-" + UUID.randomUUID();
        JsonNode ack = push(platform.ingestClient(), key, "{\"channel\":\"idem-both\",\"message\":\"one\"}");
        try (WsTestClient socket = WsTestClient.connect(platform.events("channel=idem-both"))) {
            socket.send("{\"message\":\"one\",\"id\":\"" + key + "\"}");
            String frame;
            do {
                frame = socket.poll(Duration.ofSeconds(30));
                assertThat(frame).as("an ack frame").isNotNull();
            } while (!frame.contains("\"type\":\"ack\""));
            JsonNode wsAck = Json.parse(frame);
            assertThat(wsAck.get("offset")).isEqualTo(ack.get("offset"));
            assertThat(wsAck.get("id")).isEqualTo(ack.get("id"));
        }
        assertThat(recordsWithKey(platform.topic, key)).isEqualTo(1);
    }

    private static int recordsWithKey(String topic, String key) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            int found = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Header header = record.headers().lastHeader(IdempotencyKeys.HEADER);
                    if (header != null && new String(header.value(), StandardCharsets.UTF_8).equals(key)) {
                        found++;
                    }
                }
            }
            return found;
        }
    }
}
