package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.testsupport.TestKafka;
import io.fanout.testsupport.WsTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;

/**
 * Records fanout did not write (no key, as kcat sends by default; a value that is not an Event) sit in the topic
 * between a channel's events: replays, live delivery and SSE skip them as not the channel's and go on.
 */
class ForeignRecordsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Platform platform = Platform.get();
    private final Publisher publisher = new Publisher(platform);

    @Test
    void shouldReplayAndFollowAChannelAcrossKeylessAndForeignRecordsInItsPartition() throws Exception {
        String channel = "foreign." + UUID.randomUUID();
        List<JsonNode> acks = new ArrayList<>(publisher.numbers(channel, 0, 5, 5));
        int partition = acks.get(0).get("partition").intValue();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            producer.send(new ProducerRecord<>(
                            platform.topic, partition, null, "no key".getBytes(StandardCharsets.UTF_8)))
                    .get();
            producer.send(new ProducerRecord<>(
                            platform.topic,
                            partition,
                            channel.getBytes(StandardCharsets.UTF_8),
                            "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)))
                    .get();
            producer.send(new ProducerRecord<>(platform.topic, partition, null, null))
                    .get();
        }
        acks.addAll(publisher.numbers(channel, 5, 10, 5));
        long from = acks.get(0).get("offset").longValue();

        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + channel + "&from=" + from))) {
            List<String> frames = client.take(10, WAIT);
            for (int i = 0; i < 10; i++) {
                assertThat(Json.parse(frames.get(i)).get("message").intValue()).isEqualTo(i);
            }
            assertThat(client.isClosed()).isFalse();
            JsonNode live = publisher.push(channel, "10");
            assertThat(Json.parse(client.take(1, WAIT).get(0)).get("offset").longValue())
                    .isEqualTo(live.get("offset").longValue());
        }

        List<ServerSentEvent<String>> events = WebClient.create("http://127.0.0.1:" + platform.fanoutPort())
                .get()
                .uri("/sse?channel=" + channel + "&from=" + from)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .filter(event -> "message".equals(event.event()))
                .take(11)
                .collectList()
                .block(WAIT);
        assertThat(events).hasSize(11);
        for (int i = 0; i < 11; i++) {
            assertThat(Json.parse(events.get(i).data()).get("message").intValue())
                    .isEqualTo(i);
        }
    }
}
