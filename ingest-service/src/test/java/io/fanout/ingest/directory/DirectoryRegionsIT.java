package io.fanout.ingest.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.ingest.IngestApplication;
import io.fanout.schemas.EventCodec;
import io.fanout.schemas.Topics;
import io.fanout.schemas.avro.Event;
import io.fanout.testsupport.TestKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The directory of region r1 with region r2 mirrored into its cluster, against a real broker: events published
 * through {@code POST /push} (r1's own topic) and records in {@code r2.<topic>} (written here the way MirrorMaker 2
 * copies them: same key, partition and timestamp) are all counted, while offsets and the recent index stay those of
 * r1's own topic.
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "logging.level.org.apache.kafka=WARN",
            "logging.level.org.springframework.kafka=WARN",
            "fanout.directory.replication-factor=1",
            "fanout.region.name=r1",
            "fanout.region.mirrors=r2",
        })
class DirectoryRegionsIT {

    private static final int PARTITIONS = 3;
    private static final String TOPIC = TestKafka.newTopic("directory-regions-it", PARTITIONS);
    private static final String MIRROR = mirrorTopic();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) throws IOException {
        String state = Files.createTempDirectory("directory-regions-it").toString();
        registry.add("spring.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("fanout.topic", () -> TOPIC);
        registry.add("fanout.directory.application-id", () -> "directory-regions-it-" + System.nanoTime());
        registry.add("fanout.directory.state-dir", () -> state);
    }

    @LocalServerPort
    int port;

    @Test
    void shouldCountEveryRegionsEventsButKeepOffsetsAndIndexOfItsOwnTopic() throws Exception {
        WebTestClient http = WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(10))
                .build();
        List<DirectoryIT.Ack> own = new ArrayList<>();
        own.add(push(http, "reg.both"));
        try (KafkaProducer<String, byte[]> producer = producer()) {
            int partition = own.get(0).partition();
            for (int i = 0; i < 3; i++) {
                mirror(producer, "reg.both", partition);
            }
            mirror(producer, "reg.r2only", Topics.partitionOf("reg.r2only", PARTITIONS));
            mirror(producer, "reg.r2only", Topics.partitionOf("reg.r2only", PARTITIONS));
            producer.flush();
        }
        own.add(push(http, "reg.both"));

        await().atMost(WAIT).untilAsserted(() -> {
            ChannelInfo both = get(http, "/channels/reg.both", ChannelInfo.class);
            assertThat(both.count()).isEqualTo(5);
            assertThat(both.mirrored()).isEqualTo(3);
            assertThat(both.partition()).isEqualTo(own.get(0).partition());
            assertThat(both.firstOffset()).isEqualTo(own.get(0).offset());
            assertThat(both.lastOffset()).isEqualTo(own.get(1).offset());
            assertThat(both.eventsLastMinute()).isEqualTo(5);

            ChannelInfo r2only = get(http, "/channels/reg.r2only", ChannelInfo.class);
            assertThat(r2only.count()).isEqualTo(2);
            assertThat(r2only.mirrored()).isEqualTo(2);
            assertThat(r2only.firstOffset()).isEqualTo(-1);
            assertThat(r2only.lastOffset()).isEqualTo(-1);
        });
        RecentOffsets recent = get(http, "/channels/reg.both/recent?limit=10", RecentOffsets.class);
        assertThat(recent.count()).isEqualTo(2);
        assertThat(recent.offsets())
                .containsExactly(own.get(0).offset(), own.get(1).offset());
    }

    private static String mirrorTopic() {
        String name = Topics.mirrored("r2", TOPIC);
        TestKafka.createTopic(name, PARTITIONS);
        return name;
    }

    private static DirectoryIT.Ack push(WebTestClient http, String channel) {
        return http.post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"channel\":\"" + channel + "\",\"message\":{\"from\":\"r1\"}}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(DirectoryIT.Ack.class)
                .returnResult()
                .getResponseBody();
    }

    /** A record of region r2 as MirrorMaker 2 writes it into r1's cluster. */
    private static void mirror(KafkaProducer<String, byte[]> producer, String channel, int partition) throws Exception {
        long now = System.currentTimeMillis();
        Event event =
                new Event(UUID.randomUUID().toString(), channel, "{\"from\":\"r2\"}", Instant.ofEpochMilli(now), 0L);
        producer.send(new ProducerRecord<>(MIRROR, partition, now, channel, EventCodec.encode(event)))
                .get();
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    /** The 200 answer of a GET, failing the assertion otherwise (quietly: it is polled). */
    private static <T> T get(WebTestClient client, String uri, Class<T> type) {
        EntityExchangeResult<byte[]> result =
                client.get().uri(uri).exchange().expectBody().returnResult();
        byte[] body = result.getResponseBody();
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        assertThat(result.getStatus().value()).as("GET %s: %s", uri, text).isEqualTo(200);
        return JSON.readValue(text, type);
    }
}
