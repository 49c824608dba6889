package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Health and metrics of both services. */
class OperationsIT {

    private final Platform platform = Platform.get();

    @Test
    void shouldReportHealthUpWithKafkaDetails() {
        for (var client : java.util.List.of(platform.ingestClient(), platform.fanoutClient())) {
            String body = new String(client.get().uri("/actuator/health").exchange().expectStatus().isOk()
                    .expectBody().returnResult().getResponseBody());
            assertThat(Json.parse(body).get("status").stringValue()).isEqualTo("UP");
            assertThat(Json.parse(body).get("components").get("kafka").get("details").get("partitions").intValue())
                    .isEqualTo(Platform.PARTITIONS);
        }
    }

    @Test
    void shouldExposePublishDeliverySessionAndConsumerMetrics() {
        platform.ingestClient().post().uri("/push").contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .bodyValue("{\"channel\":\"metrics\",\"message\":1}").exchange().expectStatus().isOk();
        String ingest = new String(platform.ingestClient().get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody());
        assertThat(ingest).contains("fanout_publish_events_total");
        String fanout = new String(platform.fanoutClient().get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody());
        assertThat(fanout).contains("fanout_deliveries_total", "fanout_sessions{state=\"live\"", "fanout_consumer_records_total",
                "kafka_consumer_fetch_manager_records_lag_max");
    }
}
