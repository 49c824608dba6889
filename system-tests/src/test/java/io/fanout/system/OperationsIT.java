package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.testsupport.WsTestClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * Health and metrics of both services. Metric values are read from each service's in-process {@link MeterRegistry}
 * and must move by what the test did (system tests run one at a time, so nothing else publishes meanwhile).
 */
class OperationsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Platform platform = Platform.get();

    @Test
    void shouldReportHealthUpWithKafkaDetails() {
        for (var client : List.of(platform.ingestClient(), platform.fanoutClient())) {
            String body = new String(client.get()
                    .uri("/actuator/health")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .returnResult()
                    .getResponseBody());
            assertThat(Json.parse(body).get("status").stringValue()).isEqualTo("UP");
            assertThat(Json.parse(body)
                            .get("components")
                            .get("kafka")
                            .get("details")
                            .get("partitions")
                            .intValue())
                    .isEqualTo(Platform.PARTITIONS);
        }
    }

    @Test
    void shouldCountPublishesDeliveriesSessionsAndConsumedRecords() throws Exception {
        MeterRegistry ingest = platform.ingest.getBean(MeterRegistry.class);
        MeterRegistry fanout = platform.fanout.getBean(MeterRegistry.class);
        try (WsTestClient subscriber = WsTestClient.connect(platform.events("channel=metrics-values"))) {
            await().atMost(WAIT).until(() -> value(fanout.find("fanout.sessions")) >= 1);
            double sessions = value(fanout.find("fanout.sessions"));
            double published = value(ingest.find("fanout.publish.events"));
            // a session still starting may be sent its first events from the log: each event counts in one of the two
            double delivered = value(fanout.find("fanout.deliveries")) + value(fanout.find("fanout.catchup.events"));
            double consumed = value(fanout.find("fanout.consumer.records"));
            for (int i = 0; i < 3; i++) {
                platform.ingestClient()
                        .post()
                        .uri("/push")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"channel\":\"metrics-values\",\"message\":" + i + "}")
                        .exchange()
                        .expectStatus()
                        .isOk();
            }
            assertThat(subscriber.take(3, WAIT)).hasSize(3);
            assertThat(value(ingest.find("fanout.publish.events"))).isEqualTo(published + 3);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(value(fanout.find("fanout.deliveries")) + value(fanout.find("fanout.catchup.events")))
                        .isEqualTo(delivered + 3);
                assertThat(value(fanout.find("fanout.consumer.records"))).isEqualTo(consumed + 3);
            });
            subscriber.close();
            await().atMost(WAIT).until(() -> value(fanout.find("fanout.sessions")) == sessions - 1);
        }
        // and the same meters are what Prometheus scrapes
        String scraped = new String(platform.fanoutClient()
                .get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody());
        assertThat(scraped)
                .contains(
                        "fanout_deliveries_total",
                        "fanout_sessions{state=\"live\"",
                        "fanout_consumer_records_total",
                        "kafka_consumer_fetch_manager_records_lag_max");
    }

    /** The sum of the matching counters' counts, or the gauge's value. */
    private static double value(Search search) {
        double counters = search.counters().stream().mapToDouble(c -> c.count()).sum();
        double gauges = search.gauges().stream().mapToDouble(g -> g.value()).sum();
        return counters + gauges;
    }
}
