package io.fanout.ingest.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.fanout.ingest.IngestApplication;
import io.fanout.testsupport.TestKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The start-up warm-up against a real broker, with auth on: the service answers 503 until its rehearsal is over,
 * the rehearsal's publishes are answered without a token and written to the warm-up topic only (or nowhere, without
 * one), and afterwards a request with the header but not the secret is token-checked and written like any other.
 */
class StartupWarmupIT {

    private static final String SECRET = "startup-warmup-it-secret-of-at-least-32-bytes";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldAnswer503UntilTheRehearsalIsOverAndWriteItToTheWarmupTopicOnly() throws Exception {
        String topic = TestKafka.newTopic("warmup-it", 1);
        String warmupTopic = "warmup-it-rehearsals-" + System.nanoTime(); // created by the service
        int port = freePort();
        CompletableFuture<ConfigurableApplicationContext> starting =
                CompletableFuture.supplyAsync(() -> IngestApplication.builder()
                        .run(
                                "--server.port=" + port,
                                "--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                                "--fanout.topic=" + topic,
                                "--fanout.directory.enabled=false",
                                "--fanout.auth.enabled=true",
                                "--fanout.auth.hmac-secret=" + SECRET,
                                // more requests than 3 s allow, so the rehearsal lasts those 3 s
                                "--fanout.warmup.enabled=true",
                                "--fanout.warmup.requests=1000000",
                                "--fanout.warmup.max-duration=3s",
                                "--fanout.warmup.settle=1s",
                                "--fanout.warmup.topic=" + warmupTopic,
                                "--logging.level.org.apache.kafka=WARN"));
        // each health answer while starting: its status and what the warmup component said
        List<String> healthWhileStarting = new ArrayList<>();
        while (!starting.isDone()) {
            String answer = health(port);
            if (answer != null) {
                healthWhileStarting.add(answer);
            }
            Thread.sleep(50);
        }
        try (ConfigurableApplicationContext ingest = starting.get(10, TimeUnit.SECONDS)) {
            assertThat(healthWhileStarting).as("health while rehearsing").contains("503 OUT_OF_SERVICE");
            assertThat(healthWhileStarting)
                    .as("200 only once the warm-up says it is done")
                    .filteredOn(answer -> answer.startsWith("200"))
                    .allMatch(answer -> answer.equals("200 UP"));
            int firstDone = healthWhileStarting.indexOf("200 UP");
            if (firstDone >= 0) {
                assertThat(healthWhileStarting.subList(firstDone, healthWhileStarting.size()))
                        .as("never rehearsing again once done")
                        .noneMatch(answer -> answer.endsWith("OUT_OF_SERVICE"));
            }

            HttpResponse<String> health = get(port, "/actuator/health");
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode warmup = JSON.readTree(health.body()).path("components").path("warmup");
            assertThat(warmup.path("status").asString()).isEqualTo("UP");
            assertThat(warmup.path("details").path("answers").propertyNames())
                    .as("every rehearsal request answered 200 without a token")
                    .containsExactly("200");
            long rehearsed = warmup.path("details").path("answers").path("200").asLong();
            assertThat(rehearsed).isPositive();
            assertThat(warmup.path("details").path("writtenTo").asString()).isEqualTo(warmupTopic);
            assertThat(TestKafka.endOffset(warmupTopic))
                    .as("the warm-up topic holds each acknowledged rehearsal once")
                    .isEqualTo(rehearsed);
            assertThat(TestKafka.endOffset(topic))
                    .as("records the rehearsal wrote to the events topic")
                    .isZero();

            HttpResponse<String> guessed = post(port, Map.of(Rehearsal.HEADER, "0".repeat(32)));
            assertThat(guessed.statusCode())
                    .as("the header without a token, after the rehearsal")
                    .isEqualTo(401);

            HttpResponse<String> real = post(port, Map.of("Authorization", "Bearer " + token()));
            assertThat(real.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(real.body()).path("offset").asLong()).isZero();
            assertThat(TestKafka.endOffset(topic)).isEqualTo(1);

            double timed = get(port, "/actuator/prometheus")
                    .body()
                    .lines()
                    .filter(line -> line.startsWith("fanout_push_requests_seconds_count{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .sum();
            assertThat(timed)
                    .as("requests timed: the two after the rehearsal, none of it")
                    .isEqualTo(2.0);
        }
    }

    /** Without a warm-up topic, or with one Kafka refuses to create (an invalid name), the old way: written nowhere. */
    @ParameterizedTest
    @ValueSource(strings = {"", "not a valid topic name"})
    void shouldRehearseWithoutWritingAnythingWhenNoWarmupTopicCanBeWritten(String warmupTopic) throws Exception {
        String topic = TestKafka.newTopic("warmup-it-nowhere", 1);
        int port = freePort();
        try (ConfigurableApplicationContext ingest = IngestApplication.builder()
                .run(
                        "--server.port=" + port,
                        "--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                        "--fanout.topic=" + topic,
                        "--fanout.directory.enabled=false",
                        "--fanout.warmup.enabled=true",
                        "--fanout.warmup.requests=2000",
                        "--fanout.warmup.settle=1s",
                        "--fanout.warmup.topic=" + warmupTopic,
                        "--logging.level.org.apache.kafka=WARN")) {
            JsonNode warmup = JSON.readTree(get(port, "/actuator/health").body())
                    .path("components")
                    .path("warmup")
                    .path("details");
            assertThat(warmup.path("answers").path("200").asLong()).isEqualTo(2000);
            assertThat(warmup.path("writtenTo").asString()).isEqualTo("nothing");
            assertThat(TestKafka.endOffset(topic))
                    .as("records the rehearsal wrote to the events topic")
                    .isZero();
            assertThat(topicNames())
                    .as("no warm-up topic created, none written to")
                    .doesNotContain("fanout.warmup", "fanout-rehearsal", warmupTopic);
        }
    }

    /** "status warmup-status" of one health answer, or {@code null} while nothing listens. */
    private static String health(int port) {
        try {
            HttpResponse<String> answer = get(port, "/actuator/health");
            String warmup = JSON.readTree(answer.body())
                    .path("components")
                    .path("warmup")
                    .path("status")
                    .asString();
            return answer.statusCode() + " " + warmup;
        } catch (IOException notListening) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(int port, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/push"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"after\",\"message\":\"real\"}"));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> topicNames() throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            return admin.listTopics().names().get(10, TimeUnit.SECONDS);
        }
    }

    private static String token() throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder()
                        .subject("warmup-it")
                        .issueTime(new Date())
                        .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                        .claim("fanout.publish", List.of("*"))
                        .claim("fanout.subscribe", List.of("*"))
                        .build());
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
