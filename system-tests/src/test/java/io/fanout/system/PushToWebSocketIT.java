package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.schemas.EventCodec;
import io.fanout.schemas.avro.Event;
import io.fanout.testsupport.TestKafka;
import io.fanout.testsupport.WsTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

/** The spine, through public interfaces only: POST /push → Kafka → WebSocket frames. */
class PushToWebSocketIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Platform platform = Platform.get();

    private static String channel() {
        return "it." + UUID.randomUUID();
    }

    private JsonNode push(String body) {
        byte[] response = platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();
        return Json.parse(response);
    }

    @Test
    void shouldDeliverAPushToSubscribersWithTheAckedOffset() throws Exception {
        String channel = channel();
        try (WsTestClient subscriber = WsTestClient.connect(platform.events("channel=" + channel))) {
            JsonNode ack = push("{\"channel\":\"" + channel + "\",\"message\":{\"hello\":\"world\",\"n\":1.50}}");

            JsonNode frame = Json.parse(subscriber.take(1, WAIT).get(0));
            assertThat(frame.get("channel").stringValue()).isEqualTo(channel);
            assertThat(frame.get("offset").longValue())
                    .isEqualTo(ack.get("offset").longValue());
            assertThat(frame.get("partition").intValue())
                    .isEqualTo(ack.get("partition").intValue());
            assertThat(frame.get("id").stringValue()).isEqualTo(ack.get("id").stringValue());
            assertThat(frame.get("timestamp").longValue())
                    .isEqualTo(ack.get("timestamp").longValue());
            assertThat(frame.get("message")).isEqualTo(Json.parse("{\"hello\":\"world\",\"n\":1.50}"));
            assertThat(ack.get("message")).isEqualTo(frame.get("message"));
            assertThat(ack.get("channel").stringValue()).isEqualTo(channel);
        }
    }

    @Test
    void shouldReadAPercentEncodedQueryAsSseDoes() throws Exception {
        String channel = "it.pct:" + UUID.randomUUID(); // ':' is allowed in channel names, and escaped by most clients
        JsonNode first = push("{\"channel\":\"" + channel + "\",\"message\":1}");
        push("{\"channel\":\"" + channel + "\",\"message\":2}");
        String encoded = channel.replace(":", "%3A");
        String from =
                first.get("partition").intValue() + "%3A" + first.get("offset").longValue();
        try (WsTestClient subscriber = WsTestClient.connect(platform.events("channel=" + encoded + "&from=" + from))) {
            List<JsonNode> frames =
                    subscriber.take(2, WAIT).stream().map(Json::parse).toList();
            assertThat(frames)
                    .extracting(frame -> frame.get("channel").stringValue())
                    .containsOnly(channel);
            assertThat(frames)
                    .extracting(frame -> frame.get("message").intValue())
                    .containsExactly(1, 2);
        }
    }

    @Test
    void shouldUseTheDefaultChannelWhenNoneIsGiven() throws Exception {
        try (WsTestClient subscriber = WsTestClient.connect(platform.events(""))) {
            JsonNode ack = push("{\"message\":\"the dude abides\"}");
            assertThat(ack.get("channel").stringValue()).isEqualTo("lebowski");

            JsonNode frame = Json.parse(subscriber.take(1, WAIT).get(0));
            assertThat(frame.get("channel").stringValue()).isEqualTo("lebowski");
            assertThat(frame.get("message").stringValue()).isEqualTo("the dude abides");
        }
    }

    @Test
    void shouldKeepPublishOrderPerChannelAcrossSinglesAndBatches() throws Exception {
        String channel = channel();
        try (WsTestClient subscriber = WsTestClient.connect(platform.events("channel=" + channel))) {
            List<Long> ackedOffsets = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ackedOffsets.add(push("{\"channel\":\"" + channel + "\",\"message\":" + i + "}")
                        .get("offset")
                        .longValue());
            }
            List<JsonNode> batchAcks = new Publisher(platform).numbers(channel, 50, 150, 100);
            assertThat(batchAcks).hasSize(100);
            for (int i = 0; i < 100; i++) {
                assertThat(batchAcks.get(i).get("message").intValue()).isEqualTo(50 + i);
                ackedOffsets.add(batchAcks.get(i).get("offset").longValue());
            }

            List<String> frames = subscriber.take(150, WAIT);
            for (int i = 0; i < 150; i++) {
                JsonNode frame = Json.parse(frames.get(i));
                assertThat(frame.get("message").intValue()).as("frame %d", i).isEqualTo(i);
                assertThat(frame.get("offset").longValue()).isEqualTo(ackedOffsets.get(i));
            }
            assertThat(ackedOffsets).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void shouldNotLeakEventsAcrossChannels() throws Exception {
        String mine = channel();
        String other = channel();
        try (WsTestClient subscriber = WsTestClient.connect(platform.events("channel=" + mine))) {
            push("{\"channel\":\"" + other + "\",\"message\":\"not for you\"}");
            push("{\"channel\":\"" + mine + "\",\"message\":\"for you\"}");

            JsonNode frame = Json.parse(subscriber.take(1, WAIT).get(0));
            assertThat(frame.get("message").stringValue()).isEqualTo("for you");
            assertThat(subscriber.poll(Duration.ofMillis(500))).isNull();
        }
    }

    @Test
    void shouldFollowSeveralChannelsOnOneSocket() throws Exception {
        String a = channel();
        String b = channel();
        try (WsTestClient subscriber = WsTestClient.connect(platform.events("channel=" + a + "&channel=" + b))) {
            push("{\"channel\":\"" + a + "\",\"message\":\"a\"}");
            push("{\"channel\":\"" + b + "\",\"message\":\"b\"}");

            List<String> channels = subscriber.take(2, WAIT).stream()
                    .map(f -> Json.parse(f).get("channel").stringValue())
                    .sorted()
                    .toList();
            assertThat(channels)
                    .containsExactlyElementsOf(List.of(a, b).stream().sorted().toList());
        }
    }

    @Test
    void shouldPublishTextSentOnTheSocketToTheOtherSubscribers() throws Exception {
        String channel = channel();
        try (WsTestClient listener = WsTestClient.connect(platform.events("channel=" + channel));
                WsTestClient talker = WsTestClient.connect(platform.events("channel=" + channel))) {
            talker.send("hello from a socket");
            JsonNode heard = Json.parse(listener.take(1, WAIT).get(0));
            assertThat(heard.get("channel").stringValue()).isEqualTo(channel);
            assertThat(heard.get("message").stringValue()).isEqualTo("hello from a socket");
            // the talker follows the channel too, so it hears its own message (a socket hears its own publishes on a
            // channel it follows)
            assertThat(Json.parse(talker.take(1, WAIT).get(0)).get("offset").longValue())
                    .isEqualTo(heard.get("offset").longValue());

            talker.send("{\"message\":{\"price\":42}}");
            List<JsonNode> talkerFrames =
                    talker.take(2, WAIT).stream().map(Json::parse).toList();
            JsonNode ack =
                    talkerFrames.stream().filter(f -> f.has("type")).findFirst().orElseThrow();
            JsonNode echoed = talkerFrames.stream()
                    .filter(f -> !f.has("type"))
                    .findFirst()
                    .orElseThrow();
            assertThat(ack.get("type").stringValue()).isEqualTo("ack");
            assertThat(ack.get("offset").longValue())
                    .isEqualTo(echoed.get("offset").longValue());
            JsonNode second = Json.parse(listener.take(1, WAIT).get(0));
            assertThat(second.get("message").get("price").intValue()).isEqualTo(42);
            assertThat(second.get("offset").longValue())
                    .isEqualTo(ack.get("offset").longValue());
        }
    }

    @Test
    void shouldAnswerABadSocketPublishWithAnErrorFrameAndKeepTheSocket() throws Exception {
        String channel = channel();
        try (WsTestClient talker = WsTestClient.connect(platform.events("channel=" + channel))) {
            talker.send("{\"channel\":\"bad channel\",\"message\":1}");
            JsonNode error = Json.parse(talker.take(1, WAIT).get(0));
            assertThat(error.get("type").stringValue()).isEqualTo("error");
            assertThat(error.get("status").intValue()).isEqualTo(400);
            assertThat(error.get("detail").stringValue()).contains("channel contains U+0020");

            talker.send("still here");
            assertThat(Json.parse(talker.take(1, WAIT).get(0)).get("message").stringValue())
                    .isEqualTo("still here");
        }
    }

    @Test
    void shouldWriteTheChannelAsKeyAndAnAvroEventAsValue() {
        String channel = channel();
        JsonNode ack = push("{\"channel\":\"" + channel + "\",\"message\":[1,2,3]}");
        TopicPartition partition =
                new TopicPartition(platform.topic, ack.get("partition").intValue());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, ack.get("offset").longValue());
            ConsumerRecord<byte[], byte[]> record = await().atMost(WAIT)
                    .pollInterval(Duration.ZERO)
                    .until(
                            () -> consumer.poll(Duration.ofMillis(200)).records(partition),
                            records -> !records.isEmpty())
                    .get(0);
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(channel);
            Event event = EventCodec.decode(record.value());
            assertThat(event.getChannel()).isEqualTo(channel);
            assertThat(event.getId()).isEqualTo(ack.get("id").stringValue());
            assertThat(Json.parse(event.getMessage())).isEqualTo(Json.parse("[1,2,3]"));
            assertThat(event.getPublishedAt().toEpochMilli())
                    .isEqualTo(ack.get("timestamp").longValue());
            assertThat(record.timestamp()).isEqualTo(ack.get("timestamp").longValue());
        }
    }
}
