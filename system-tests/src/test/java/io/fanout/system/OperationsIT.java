package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.testsupport.WsTestClient;
import io.micrometer.core.instrument.MeterRegistry;
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
        Meters ingest = platform.ingestMeters();
        Meters fanout = platform.fanoutMeters();
        try (WsTestClient subscriber = WsTestClient.connect(platform.events("channel=metrics-values"))) {
            await().atMost(WAIT).until(() -> fanout.value("fanout.sessions") >= 1);
            double sessions = fanout.value("fanout.sessions");
            double published = ingest.value("fanout.publish.events");
            // a session still starting may be sent its first events from the log: each event counts in one of the two
            double delivered = fanout.value("fanout.deliveries") + fanout.value("fanout.catchup.events");
            double consumed = fanout.value("fanout.consumer.records");
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
            assertThat(ingest.value("fanout.publish.events")).isEqualTo(published + 3);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(fanout.value("fanout.deliveries") + fanout.value("fanout.catchup.events"))
                        .isEqualTo(delivered + 3);
                assertThat(fanout.value("fanout.consumer.records")).isEqualTo(consumed + 3);
            });
            subscriber.close();
            await().atMost(WAIT).until(() -> fanout.value("fanout.sessions") == sessions - 1);
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

    @Test
    void shouldServeJsonPushesOnTheDirectRouteAndTimeThem() {
        Meters ingest = platform.ingestMeters();
        long direct = ingest.timed("fanout.push.requests", "status", "200");
        long refused = ingest.timed("fanout.push.requests", "status", "400");
        for (int i = 0; i < 3; i++) {
            platform.ingestClient()
                    .post()
                    .uri("/push")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"channel\":\"direct-route\",\"message\":" + i + "}")
                    .exchange()
                    .expectStatus()
                    .isOk();
        }
        platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"channel\":\"direct route\",\"message\":1}")
                .exchange()
                .expectStatus()
                .isBadRequest();
        // a body that is not JSON is not the direct route's: WebFlux answers 415, as before
        platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue("{\"channel\":\"direct-route\",\"message\":1}")
                .exchange()
                .expectStatus()
                .isEqualTo(415);
        assertThat(ingest.timed("fanout.push.requests", "status", "200")).isEqualTo(direct + 3);
        assertThat(ingest.timed("fanout.push.requests", "status", "400")).isEqualTo(refused + 1);
        assertThat(ingest.timed("fanout.push.requests", "status", "415")).isZero();
    }
}
