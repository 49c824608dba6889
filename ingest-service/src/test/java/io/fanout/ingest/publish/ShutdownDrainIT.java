package io.fanout.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.ingest.IngestApplication;
import io.fanout.testsupport.TestKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Shutdown against a real broker: a {@code POST /push} that the direct route took and that is still waiting for Kafka
 * when the service is told to stop is answered with its ack before the connection goes, and written once.
 */
class ShutdownDrainIT {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldAnswerAPublishStillWaitingForKafkaWhenShutdownBegins() throws Exception {
        String topic = TestKafka.newTopic("drain-it", 1);
        int port = freePort();
        ConfigurableApplicationContext ingest = IngestApplication.builder()
                .run(
                        "--server.port=" + port,
                        "--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                        "--fanout.topic=" + topic,
                        "--fanout.directory.enabled=false",
                        "--fanout.warmup.enabled=false",
                        // the producer holds each batch 3 s for more records: a publish is still waiting for Kafka
                        // when the shutdown begins
                        "--spring.kafka.producer.properties.linger.ms=3000",
                        "--logging.level.org.apache.kafka=WARN");
        try {
            HttpResponse<String> before = HTTP.send(publish(port, "before"), HttpResponse.BodyHandlers.ofString());
            assertThat(before.statusCode()).isEqualTo(200);
            assertThat(meter(port, "fanout_push_requests_seconds_count"))
                    .as("served by the direct route")
                    .isEqualTo(1);

            CompletableFuture<HttpResponse<String>> inFlight =
                    HTTP.sendAsync(publish(port, "in flight"), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> meter(port, "fanout_publish_sends_total") == 2); // handed to the producer
            ingest.close();

            HttpResponse<String> answer = inFlight.get(10, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).path("offset").asLong()).isEqualTo(1);
            assertThat(TestKafka.endOffset(topic))
                    .as("each publish written once")
                    .isEqualTo(2);
        } finally {
            ingest.close();
        }
    }

    private static HttpRequest publish(int port, String message) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/push"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"drain\",\"message\":\"" + message + "\"}"))
                .build();
    }

    /** The sum of a Prometheus series' samples, from {@code /actuator/prometheus}. */
    private static double meter(int port, String series) throws IOException, InterruptedException {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body()
                .lines()
                .filter(line -> line.startsWith(series + "{") || line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
