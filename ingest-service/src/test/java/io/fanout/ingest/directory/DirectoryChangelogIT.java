package io.fanout.ingest.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.ingest.IngestApplication;
import io.fanout.testsupport.PublishBatches;
import io.fanout.testsupport.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What the directory writes to Kafka per event, counted rather than timed: a busy channel must cost its
 * recent-offsets changelog about one record per block of offsets and commit, not one or two per event.
 * Runs with the shipped {@code recent-offsets} (1000), so the index is full and trimmed.
 */
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "logging.level.org.apache.kafka=WARN",
            "logging.level.org.springframework.kafka=WARN",
            "fanout.directory.replication-factor=1",
        })
class DirectoryChangelogIT {

    private static final Logger log = LoggerFactory.getLogger(DirectoryChangelogIT.class);
    private static final int PARTITIONS = 3;
    private static final String TOPIC = TestKafka.newTopic("directory-changelog-it", PARTITIONS);
    private static final String APPLICATION_ID = "directory-changelog-it-" + System.nanoTime();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int BATCH = 1_000;
    private static final int RECENT = 1_000;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("fanout.topic", () -> TOPIC);
        registry.add("fanout.directory.application-id", () -> APPLICATION_ID);
        registry.add("fanout.directory.recent-offsets", () -> RECENT);
    }

    @LocalServerPort
    int port;

    @Test
    void shouldWriteFarFewerRecentOffsetRecordsThanEventsForABusyChannel() {
        WebTestClient http = WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .build();
        String channel = "changelog.busy";
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(http.get()
                                .uri("/channels/nobody")
                                .exchange()
                                .expectBody()
                                .returnResult()
                                .getStatus()
                                .value())
                        .isEqualTo(404));

        long cpuBefore = DirectoryCosts.streamThreadCpuNanos(APPLICATION_ID);
        List<Long> offsets = new ArrayList<>();
        for (int batch = 0; batch < 2; batch++) { // the second batch fills the index past RECENT: trimming
            offsets.addAll(pushBatch(http, channel, BATCH));
        }
        int events = offsets.size();
        await().atMost(WAIT)
                .untilAsserted(
                        () -> assertThat(recent(http, channel, 1).count()).isEqualTo(events));
        long cpu = DirectoryCosts.streamThreadCpuNanos(APPLICATION_ID) - cpuBefore;
        DirectoryCosts.awaitCommittedToEnd(APPLICATION_ID, TOPIC, PARTITIONS, WAIT);

        RecentOffsets all = recent(http, channel, 5_000);
        assertThat(all.offsets()).containsExactlyElementsOf(offsets.subList(events - RECENT, events));
        assertThat(all.indexedThrough()).isGreaterThanOrEqualTo(offsets.get(events - 1));
        assertThat(recent(http, channel, 100).offsets())
                .containsExactlyElementsOf(offsets.subList(events - 100, events));

        Predicate<byte[]> ofChannel = DirectoryCosts.startsWith((channel + "\0").getBytes(StandardCharsets.UTF_8));
        long index = DirectoryCosts.records(
                DirectoryCosts.changelog(APPLICATION_ID, DirectoryTopology.INDEX_STORE), ofChannel);
        long stats = DirectoryCosts.records(
                DirectoryCosts.changelog(APPLICATION_ID, DirectoryTopology.STATS_STORE),
                DirectoryCosts.startsWith(channel.getBytes(StandardCharsets.UTF_8)));
        log.info(
                "MEASURE {} events of one channel: {} recent-offsets changelog records ({} per event), "
                        + "{} channel-stats records; stream thread CPU {} us per event (idle polling included)",
                events,
                index,
                String.format("%.3f", (double) index / events),
                stats,
                String.format("%.1f", cpu / 1000.0 / events));
        assertThat(index)
                .as("recent-offsets changelog records for %d events", events)
                .isLessThan(events / 20);
    }

    private static List<Long> pushBatch(WebTestClient http, String channel, int events) {
        List<DirectoryIT.Ack> acks = http.post()
                .uri("/push/batch")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(PublishBatches.of(channel, 0, events, Integer::toString))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(new ParameterizedTypeReference<List<DirectoryIT.Ack>>() {})
                .returnResult()
                .getResponseBody();
        return acks.stream().map(DirectoryIT.Ack::offset).toList();
    }

    private static RecentOffsets recent(WebTestClient http, String channel, int limit) {
        return http.get()
                .uri("/channels/{name}/recent?limit={limit}", channel, limit)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(RecentOffsets.class)
                .returnResult()
                .getResponseBody();
    }
}
