package io.fanout.ingest.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.ingest.IngestApplication;
import io.fanout.testsupport.TestKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The directory against a real broker: events published through {@code POST /push} show up in
 * {@code /channels}, survive a restart of Streams from the changelogs, and any of two instances answers
 * for every channel.
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "logging.level.org.apache.kafka=WARN",
            "logging.level.org.springframework.kafka=WARN",
            "fanout.directory.replication-factor=1",
            "fanout.directory.recent-offsets=50",
        })
class DirectoryIT {

    private static final String TOPIC = TestKafka.newTopic("directory-it", 3);
    private static final String APPLICATION_ID = "directory-it-" + System.nanoTime();
    private static final Path STATE = tempDir();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("fanout.topic", () -> TOPIC);
        registry.add("fanout.directory.application-id", () -> APPLICATION_ID);
        registry.add("fanout.directory.state-dir", () -> STATE.resolve("first").toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    DirectoryStreams streams;

    private WebTestClient http;

    @BeforeEach
    void client() {
        http = client(port);
    }

    @Test
    void shouldDescribeChannelsPublishedThroughPush() {
        List<Ack> alpha = push(http, "it1.alpha", 3);
        List<Ack> beta = push(http, "it1.beta", 2);
        List<Ack> gamma = push(http, "it1.gamma:x", 1);

        await().atMost(WAIT)
                .untilAsserted(
                        () -> assertThat(channel(http, "it1.alpha").count()).isEqualTo(3));
        ChannelInfo info = channel(http, "it1.alpha");
        assertThat(info.partition()).isEqualTo(alpha.get(0).partition());
        assertThat(info.firstOffset()).isEqualTo(alpha.get(0).offset());
        assertThat(info.lastOffset()).isEqualTo(alpha.get(2).offset());
        assertThat(info.firstTimestamp()).isEqualTo(alpha.get(0).timestamp());
        assertThat(info.lastTimestamp()).isEqualTo(alpha.get(2).timestamp());
        assertThat(info.eventsLastMinute()).isEqualTo(3);
        assertThat(info.ratePerSecond()).isPositive();

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(names(page(http, "/channels?prefix=it1.")))
                        .containsExactly("it1.alpha", "it1.beta", "it1.gamma:x"));
        ChannelPage first = page(http, "/channels?prefix=it1.&limit=2");
        assertThat(names(first)).containsExactly("it1.alpha", "it1.beta");
        assertThat(first.next()).isEqualTo("it1.beta");
        assertThat(first.channels().get(1).count()).isEqualTo(beta.size());
        ChannelPage second = page(http, "/channels?prefix=it1.&limit=2&after=" + first.next());
        assertThat(names(second)).containsExactly("it1.gamma:x");
        assertThat(second.next()).isNull();
        assertThat(second.channels().get(0).lastOffset()).isEqualTo(gamma.get(0).offset());

        RecentOffsets recent = http.get()
                .uri("/channels/it1.alpha/recent?limit=2")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(RecentOffsets.class)
                .returnResult()
                .getResponseBody();
        assertThat(recent.offsets())
                .containsExactly(alpha.get(1).offset(), alpha.get(2).offset());
        assertThat(recent.partition()).isEqualTo(alpha.get(0).partition());
        assertThat(recent.count()).isEqualTo(3);
        assertThat(recent.indexedThrough()).isGreaterThanOrEqualTo(alpha.get(2).offset());

        http.get()
                .uri("/actuator/health")
                .exchange()
                .expectBody()
                .jsonPath("$.components.directory.status")
                .isEqualTo("UP");
        String prometheus = http.get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(prometheus)
                .contains(
                        "fanout_directory_lag_records",
                        "fanout_directory_skipped_total",
                        "kafka_stream_thread_process_rate");
    }

    @Test
    void shouldAnswerProblemsForUnknownChannelsAndBadRequests() {
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(http.get()
                                .uri("/channels/it0.nobody")
                                .exchange()
                                .expectBody()
                                .returnResult()
                                .getStatus()
                                .value())
                        .isNotEqualTo(503));
        http.get()
                .uri("/channels/it0.nobody")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.detail")
                .value(String.class, d -> assertThat(d).contains("it0.nobody"));
        for (String uri : List.of(
                "/channels/bad name",
                "/channels/bad*name/recent",
                "/channels?limit=0",
                "/channels?limit=1001",
                "/channels?limit=banana",
                "/channels?prefix=a*",
                "/channels/x/recent?limit=0")) {
            http.get()
                    .uri(uri)
                    .exchange()
                    .expectStatus()
                    .isBadRequest()
                    .expectHeader()
                    .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        }
    }

    @Test
    void shouldKeepCountsWhenStreamsRestartsFromItsChangelog() {
        List<Ack> acks = push(http, "it2.restart", 4);
        push(http, "it2.other", 2);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(channel(http, "it2.restart").count()).isEqualTo(4);
            assertThat(channel(http, "it2.other").count()).isEqualTo(2);
        });

        streams.stop();
        try {
            http.get()
                    .uri("/channels/it2.restart")
                    .exchange()
                    .expectStatus()
                    .isEqualTo(503)
                    .expectHeader()
                    .exists(HttpHeaders.RETRY_AFTER)
                    .expectHeader()
                    .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
            streams.wipeLocalState();
        } finally {
            streams.start();
        }

        await().atMost(WAIT).untilAsserted(() -> {
            ChannelInfo restored = channel(http, "it2.restart");
            assertThat(restored.count()).isEqualTo(4);
            assertThat(restored.lastOffset()).isEqualTo(acks.get(3).offset());
            // the two channels may live in partitions whose state is restored at different moments
            assertThat(channel(http, "it2.other").count()).isEqualTo(2);
        });

        Ack more = push(http, "it2.restart", 1).get(0);
        await().atMost(WAIT).untilAsserted(() -> {
            ChannelInfo after = channel(http, "it2.restart");
            assertThat(after.count()).isEqualTo(5);
            assertThat(after.lastOffset()).isEqualTo(more.offset());
            assertThat(after.firstOffset()).isEqualTo(acks.get(0).offset());
        });
    }

    @Test
    void shouldAnswerForEveryChannelFromEitherOfTwoInstances() {
        // command-line arguments: they win over ingest-service.yml (builder properties would not)
        ConfigurableApplicationContext second = IngestApplication.builder()
                .run(
                        "--server.port=0",
                        "--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                        "--fanout.topic=" + TOPIC,
                        "--fanout.directory.application-id=" + APPLICATION_ID,
                        "--fanout.directory.state-dir=" + STATE.resolve("second"),
                        "--fanout.directory.replication-factor=1",
                        "--fanout.directory.recent-offsets=50",
                        "--logging.level.org.apache.kafka=WARN");
        try {
            DirectoryStreams secondStreams = second.getBean(DirectoryStreams.class);
            WebTestClient other = client(secondStreams.self().port());
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                Set<Integer> mine = streams.localPartitions();
                Set<Integer> theirs = secondStreams.localPartitions();
                assertThat(mine).isNotEmpty();
                assertThat(theirs).isNotEmpty();
                Set<Integer> all = new TreeSet<>(mine);
                all.addAll(theirs);
                assertThat(all).containsExactly(0, 1, 2);
            });

            Map<String, List<Ack>> published = new LinkedHashMap<>();
            for (int i = 0; i < 8; i++) {
                published.put("it3.c" + i, push(i % 2 == 0 ? http : other, "it3.c" + i, 1 + i % 3));
            }
            Set<Integer> partitions = new TreeSet<>();
            published.values().forEach(acks -> partitions.add(acks.get(0).partition()));
            assertThat(partitions)
                    .as("channels spread over partitions of both instances")
                    .hasSizeGreaterThan(1);

            for (WebTestClient client : List.of(http, other)) {
                await().atMost(WAIT).untilAsserted(() -> {
                    for (Map.Entry<String, List<Ack>> channel : published.entrySet()) {
                        List<Ack> acks = channel.getValue();
                        ChannelInfo info = channel(client, channel.getKey());
                        assertThat(info.count()).isEqualTo(acks.size());
                        assertThat(info.lastOffset())
                                .isEqualTo(acks.get(acks.size() - 1).offset());
                    }
                    assertThat(names(page(client, "/channels?prefix=it3.&limit=5")))
                            .containsExactly("it3.c0", "it3.c1", "it3.c2", "it3.c3", "it3.c4");
                    assertThat(names(page(client, "/channels?prefix=it3.&after=it3.c4")))
                            .containsExactly("it3.c5", "it3.c6", "it3.c7");
                });
                List<Ack> c2 = published.get("it3.c2");
                client.get()
                        .uri("/channels/it3.c2/recent?limit=10")
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .jsonPath("$.offsets")
                        .value(
                                List.class,
                                offsets -> assertThat(offsets)
                                        .hasSize(c2.size())
                                        .last()
                                        .isEqualTo(
                                                ((Number) c2.get(c2.size() - 1).offset()).intValue()));
            }
        } finally {
            second.close();
        }
        await().atMost(WAIT)
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(streams.localPartitions()).containsExactly(0, 1, 2));
    }

    private static WebTestClient client(int port) {
        return WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static List<Ack> push(WebTestClient client, String channel, int events) {
        List<Ack> acks = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            acks.add(client.post()
                    .uri("/push")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"channel\":\"" + channel + "\",\"message\":{\"n\":" + i + "}}")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(Ack.class)
                    .returnResult()
                    .getResponseBody());
        }
        return acks;
    }

    private static ChannelInfo channel(WebTestClient client, String name) {
        return ok(client, "/channels/" + name, ChannelInfo.class);
    }

    private static ChannelPage page(WebTestClient client, String uri) {
        return ok(client, uri, ChannelPage.class);
    }

    /** The 200 answer of a GET, failing the assertion otherwise (quietly: it is polled). */
    private static <T> T ok(WebTestClient client, String uri, Class<T> type) {
        EntityExchangeResult<byte[]> result =
                client.get().uri(uri).exchange().expectBody().returnResult();
        byte[] body = result.getResponseBody();
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        assertThat(result.getStatus().value()).as("GET %s: %s", uri, text).isEqualTo(200);
        return JSON.readValue(text, type);
    }

    private static List<String> names(ChannelPage page) {
        return page.channels().stream().map(ChannelInfo::channel).toList();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("directory-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fields of a {@code POST /push} ack this test needs. */
    record Ack(String channel, String id, int partition, long offset, long timestamp) {}
}
