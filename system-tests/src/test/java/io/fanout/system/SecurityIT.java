package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jwt.JWTClaimsSet;
import io.fanout.testsupport.WsTestClient;
import io.fanout.tools.token.Tokens;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * With {@code fanout.auth.enabled=true}: every refusal of the token and channel checks, on HTTP (401/403
 * problem+json) and on the WebSocket (close 1008, error frame 403), and the origin checks.
 */
class SecurityIT {

    private static final String SECRET = "test-secret-of-at-least-32-bytes-0123456789";
    private static final String ORIGIN = "https://app.example.com";
    private static Platform platform;

    @BeforeAll
    static void start() {
        platform = Platform.start(
                "--fanout.auth.enabled=true",
                "--fanout.auth.hmac-secret=" + SECRET,
                "--fanout.auth.clock-skew=0s",
                "--fanout.cors.allowed-origins=" + ORIGIN);
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static String token(List<String> publish, List<String> subscribe) {
        return Tokens.hs256(SECRET, "tester", publish, subscribe, Duration.ofMinutes(5));
    }

    private static String expired() {
        long now = System.currentTimeMillis();
        return Tokens.hs256(
                SECRET,
                new JWTClaimsSet.Builder()
                        .subject("x")
                        .issueTime(new Date(now - 60_000))
                        .expirationTime(new Date(now - 10_000))
                        .claim("fanout.publish", List.of("*"))
                        .claim("fanout.subscribe", List.of("*"))
                        .build());
    }

    private static WebTestClient.ResponseSpec push(String token, String body) {
        WebTestClient.RequestBodySpec request =
                platform.ingestClient().post().uri("/push").contentType(MediaType.APPLICATION_JSON);
        if (token != null) {
            request = request.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        return request.bodyValue(body).exchange();
    }

    private static JsonNode problem(WebTestClient.ResponseSpec response, HttpStatus status) {
        byte[] body = response.expectStatus()
                .isEqualTo(status)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .returnResult()
                .getResponseBody();
        JsonNode problem = Json.parse(body);
        assertThat(problem.get("status").intValue()).isEqualTo(status.value());
        assertThat(problem.get("detail").stringValue()).isNotBlank();
        return problem;
    }

    @Test
    void shouldRefusePushWithoutATokenWith401() {
        JsonNode problem = problem(
                push(null, "{\"channel\":\"orders\",\"message\":1}")
                        .expectHeader()
                        .valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer"),
                HttpStatus.UNAUTHORIZED);
        assertThat(problem.get("detail").stringValue()).contains("bearer token is required");
    }

    @Test
    void shouldRefuseATokenSignedWithAnotherSecretWith401() {
        String forged = Tokens.hs256(
                "another-secret-of-at-least-32-bytes-9876543", "x", List.of("*"), List.of("*"), Duration.ofMinutes(5));
        JsonNode problem = problem(push(forged, "{\"channel\":\"orders\",\"message\":1}"), HttpStatus.UNAUTHORIZED);
        assertThat(problem.get("detail").stringValue()).contains("invalid token");
        problem(push("not.a.jwt", "{\"channel\":\"orders\",\"message\":1}"), HttpStatus.UNAUTHORIZED);
    }

    @Test
    void shouldRefuseAnExpiredTokenWith401() {
        JsonNode problem = problem(push(expired(), "{\"channel\":\"orders\",\"message\":1}"), HttpStatus.UNAUTHORIZED);
        assertThat(problem.get("detail").stringValue()).contains("expired");
    }

    @Test
    void shouldRefuseATokenWithoutExpiryWith401() {
        String forever = Tokens.hs256(
                SECRET,
                new JWTClaimsSet.Builder()
                        .subject("x")
                        .issueTime(new Date())
                        .claim("fanout.publish", List.of("*"))
                        .build());
        problem(push(forever, "{\"channel\":\"orders\",\"message\":1}"), HttpStatus.UNAUTHORIZED);
    }

    @Test
    void shouldLetAPublisherPublishToOneChannelButNotAnother() {
        String token = token(List.of("orders", "news:*"), List.of());
        push(token, "{\"channel\":\"orders\",\"message\":1}").expectStatus().isOk();
        push(token, "{\"channel\":\"news:sport\",\"message\":2}").expectStatus().isOk();
        JsonNode problem = problem(push(token, "{\"channel\":\"billing\",\"message\":3}"), HttpStatus.FORBIDDEN);
        assertThat(problem.get("detail").stringValue()).contains("'billing'");
        problem(push(token, "{\"channel\":\"news\",\"message\":3}"), HttpStatus.FORBIDDEN);
    }

    @Test
    void shouldRefuseAWholeBatchWhenOneItemIsNotAllowed() {
        String token = token(List.of("orders"), List.of());
        JsonNode problem = problem(
                platform.ingestClient()
                        .post()
                        .uri("/push/batch")
                        .contentType(MediaType.APPLICATION_JSON)
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                        .bodyValue("[{\"channel\":\"orders\",\"message\":1},{\"channel\":\"billing\",\"message\":2}]")
                        .exchange(),
                HttpStatus.FORBIDDEN);
        assertThat(problem.get("detail").stringValue()).contains("item 1").contains("'billing'");
        platform.ingestClient()
                .post()
                .uri("/push/batch")
                .contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .bodyValue("[{\"channel\":\"orders\",\"message\":1},{\"channel\":\"orders\",\"message\":2}]")
                .exchange()
                .expectStatus()
                .isOk();
    }

    @Test
    void shouldAcceptTheTokenAsAQueryParameter() {
        platform.ingestClient()
                .post()
                .uri("/push?token=" + token(List.of("orders"), List.of()))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"channel\":\"orders\",\"message\":1}")
                .exchange()
                .expectStatus()
                .isOk();
    }

    @Test
    void shouldKeepHealthAndPrometheusOpenButNotOtherEndpoints() {
        for (WebTestClient client : List.of(platform.ingestClient(), platform.fanoutClient())) {
            client.get().uri("/actuator/health").exchange().expectStatus().isOk();
            client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
            client.get().uri("/actuator/metrics").exchange().expectStatus().isUnauthorized();
        }
    }

    @Test
    void shouldAnswerCorsPreflightForTheAllowedOriginOnly() {
        platform.ingestClient()
                .options()
                .uri("/push")
                .header(HttpHeaders.ORIGIN, ORIGIN)
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN);
        platform.ingestClient()
                .options()
                .uri("/push")
                .header(HttpHeaders.ORIGIN, "https://evil.example.net")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .exchange()
                .expectStatus()
                .isForbidden();
    }

    @Test
    void shouldRefuseAWebSocketHandshakeFromAnotherOrigin() {
        platform.fanoutClient()
                .get()
                .uri("/events?channel=orders&token=" + token(List.of(), List.of("*")))
                .header(HttpHeaders.ORIGIN, "https://evil.example.net")
                .header(HttpHeaders.UPGRADE, "websocket")
                .header(HttpHeaders.CONNECTION, "Upgrade")
                .header("Sec-WebSocket-Version", "13")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .exchange()
                .expectStatus()
                .isForbidden();
    }

    @Test
    void shouldCloseAWebSocketWithoutAValidTokenWith1008() {
        assertClosedWith1008(platform.events("channel=orders"), Map.of(), "token required");
        assertClosedWith1008(platform.events("channel=orders&token=garbage"), Map.of(), "invalid token");
        assertClosedWith1008(
                platform.events("channel=orders"), Map.of("Authorization", "Bearer " + expired()), "token expired");
    }

    @Test
    void shouldCloseASubscriptionToAChannelNotAllowedWith1008() {
        String token = token(List.of(), List.of("orders", "news:*"));
        assertClosedWith1008(platform.events("channel=news:a&channel=billing&token=" + token), Map.of(), "'billing'");
    }

    @Test
    void shouldDeliverToAnAllowedSubscriberAndRefusePublishingOverTheSocketToAChannelNotAllowed() throws Exception {
        String token = token(List.of("orders"), List.of("orders", "audit"));
        try (WsTestClient client = WsTestClient.connect(
                platform.events("channel=orders&channel=audit"), Map.of("Authorization", "Bearer " + token))) {
            client.send("{\"channel\":\"audit\",\"message\":\"sneaky\"}");
            JsonNode error = Json.parse(client.take(1, Duration.ofSeconds(10)).get(0));
            assertThat(error.get("type").stringValue()).isEqualTo("error");
            assertThat(error.get("status").intValue()).isEqualTo(403);
            client.send("{\"channel\":\"orders\",\"message\":\"fine\"}");
            List<String> frames = client.take(2, Duration.ofSeconds(10));
            assertThat(frames).anySatisfy(f -> assertThat(f).contains("\"type\":\"ack\""));
            assertThat(frames).anySatisfy(f -> assertThat(f).contains("\"message\":\"fine\""));
            assertThat(client.isClosed()).isFalse();
        }
    }

    @Test
    void shouldCloseASocketWhenItsTokenExpires() throws Exception {
        String shortLived = Tokens.hs256(SECRET, "x", List.of(), List.of("orders"), Duration.ofSeconds(2));
        long start = System.nanoTime();
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=orders&token=" + shortLived))) {
            assertThat(client.awaitClose(Duration.ofSeconds(15))).hasToString("1008 token expired");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void shouldRefuseServerSentEventsWithoutATokenOrForAChannelNotAllowed() {
        platform.fanoutClient()
                .get()
                .uri("/sse?channel=orders")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        String token = token(List.of(), List.of("orders"));
        JsonNode problem = problem(
                platform.fanoutClient()
                        .get()
                        .uri("/sse?channel=billing")
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                        .exchange(),
                HttpStatus.FORBIDDEN);
        assertThat(problem.get("detail").stringValue()).contains("'billing'");
    }

    @Test
    void shouldAuthenticateEveryRequestWithAnUpgradeHeaderButTheWebSocketHandshake() {
        for (String path : List.of("/channels", "/channels/orders", "/channels/orders/recent", "/actuator/metrics")) {
            withUpgrade(platform.ingestClient().get().uri(path))
                    .exchange()
                    .expectStatus()
                    .isUnauthorized();
        }
        withUpgrade(platform.ingestClient().get().uri("/events?channel=orders"))
                .exchange()
                .expectStatus()
                .isUnauthorized(); // ingest-service has no WebSocket endpoint
        withUpgrade(platform.fanoutClient().get().uri("/actuator/metrics"))
                .exchange()
                .expectStatus()
                .isUnauthorized();
        withUpgrade(platform.fanoutClient().get().uri("/sse?channel=orders"))
                .exchange()
                .expectStatus()
                .isUnauthorized();
    }

    private static WebTestClient.RequestHeadersSpec<?> withUpgrade(WebTestClient.RequestHeadersSpec<?> request) {
        return request.header(HttpHeaders.UPGRADE, "websocket")
                .header(HttpHeaders.CONNECTION, "Upgrade")
                .header("Sec-WebSocket-Version", "13")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    }

    @Test
    void shouldListAndReadOnlyTheChannelsATokenMaySubscribeTo() {
        String publisher = token(List.of("dirg.*"), List.of());
        push(publisher, "{\"channel\":\"dirg.mine\",\"message\":1}")
                .expectStatus()
                .isOk();
        push(publisher, "{\"channel\":\"dirg.theirs\",\"message\":2}")
                .expectStatus()
                .isOk();
        String everything = "Bearer " + token(List.of(), List.of("*"));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(channelNames(everything)).contains("dirg.mine", "dirg.theirs"));

        String reader = "Bearer " + token(List.of(), List.of("dirg.mine"));
        assertThat(channelNames(reader)).containsExactly("dirg.mine");
        for (String path : List.of("/channels/dirg.theirs", "/channels/dirg.theirs/recent")) {
            JsonNode problem = problem(
                    platform.ingestClient()
                            .get()
                            .uri(path)
                            .header(HttpHeaders.AUTHORIZATION, reader)
                            .exchange(),
                    HttpStatus.FORBIDDEN);
            assertThat(problem.get("detail").stringValue()).contains("'dirg.theirs'");
        }
        for (String path : List.of("/channels/dirg.mine", "/channels/dirg.mine/recent")) {
            platform.ingestClient()
                    .get()
                    .uri(path)
                    .header(HttpHeaders.AUTHORIZATION, reader)
                    .exchange()
                    .expectStatus()
                    .isOk();
        }
        platform.ingestClient()
                .get()
                .uri("/channels/dirg.mine")
                .exchange()
                .expectStatus()
                .isUnauthorized();
    }

    private static List<String> channelNames(String authorization) {
        JsonNode page = Json.parse(platform.ingestClient()
                .get()
                .uri("/channels?prefix=dirg.")
                .header(HttpHeaders.AUTHORIZATION, authorization)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody());
        List<String> names = new java.util.ArrayList<>();
        page.get("channels").forEach(channel -> names.add(channel.get("channel").stringValue()));
        return names;
    }

    @Test
    void shouldCutTheCloseReasonOfA200CharacterForbiddenChannelToFitTheFrame() throws Exception {
        String channel = "f".repeat(200);
        String token = token(List.of(), List.of("orders"));
        String codeAndReason;
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + channel + "&token=" + token))) {
            codeAndReason = String.valueOf(client.awaitClose(Duration.ofSeconds(15)));
        }
        assertThat(codeAndReason).startsWith("1008 token does not allow subscribing to channel 'fff");
        String reason = codeAndReason.substring("1008 ".length());
        assertThat(reason.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(123);
    }

    @Test
    void shouldServeLastNFromTheDirectoryWithItsOwnCredential() throws Exception {
        String channel = "lastn.x";
        String publisher = token(List.of(channel), List.of());
        List<Long> offsets = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            offsets.add(Json.parse(push(publisher, "{\"channel\":\"" + channel + "\",\"message\":" + i + "}")
                            .expectStatus()
                            .isOk()
                            .expectBody()
                            .returnResult()
                            .getResponseBody())
                    .get("offset")
                    .longValue());
        }
        String reader = token(List.of(), List.of(channel));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(Json.parse(platform.ingestClient()
                                        .get()
                                        .uri("/channels/" + channel)
                                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + reader)
                                        .exchange()
                                        .expectStatus()
                                        .isOk()
                                        .expectBody()
                                        .returnResult()
                                        .getResponseBody())
                                .get("count")
                                .longValue())
                        .isEqualTo(3));
        Meters meters = platform.fanoutMeters();
        // the directory may be rebalancing at any moment: each attempt is a new subscription and a new lookup
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            double before = meters.value("fanout.replay.last.lookups", "source", "directory");
            try (WsTestClient client =
                    WsTestClient.connect(platform.events("channel=" + channel + "&last=2&token=" + reader))) {
                List<String> frames = client.take(2, Duration.ofSeconds(10));
                assertThat(frames)
                        .extracting(frame -> Json.parse(frame).get("offset").longValue())
                        .containsExactly(offsets.get(1), offsets.get(2));
            }
            assertThat(meters.value("fanout.replay.last.lookups", "source", "directory"))
                    .isEqualTo(before + 1);
        });
    }

    @Test
    void shouldAnswerForAChannelOwnedByTheOtherIngestInstance() {
        try (ConfigurableApplicationContext second = platform.anotherIngest()) {
            WebTestClient other = Platform.client(Platform.port(second));
            // both instances own part of the directory
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                assertThat(directoryPartitions(platform.ingestClient())).isNotEmpty();
                assertThat(directoryPartitions(other)).isNotEmpty();
            });
            String publisher = token(List.of("owned.*"), List.of());
            List<String> channels = new java.util.ArrayList<>();
            for (int partition = 0; partition < 4; partition++) {
                String channel = channelIn(partition, 4);
                channels.add(channel);
                push(publisher, "{\"channel\":\"" + channel + "\",\"message\":1}")
                        .expectStatus()
                        .isOk();
            }
            String reader = "Bearer " + token(List.of(), List.of("owned.*"));
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                for (WebTestClient client : List.of(platform.ingestClient(), other)) {
                    for (String channel : channels) {
                        client.get()
                                .uri("/channels/" + channel + "/recent")
                                .header(HttpHeaders.AUTHORIZATION, reader)
                                .exchange()
                                .expectStatus()
                                .isOk();
                    }
                }
            });
        }
    }

    private static String channelIn(int partition, int partitions) {
        for (int i = 0; ; i++) {
            String channel = "owned.c" + i;
            if (io.fanout.schemas.Topics.partitionOf(channel, partitions) == partition) {
                return channel;
            }
        }
    }

    private static List<Integer> directoryPartitions(WebTestClient client) {
        JsonNode health = Json.parse(client.get()
                .uri("/actuator/health/directory")
                .exchange()
                .expectBody()
                .returnResult()
                .getResponseBody());
        JsonNode partitions = health.path("details").path("partitions");
        List<Integer> owned = new java.util.ArrayList<>();
        partitions.forEach(p -> owned.add(p.intValue()));
        return owned;
    }

    private static void assertClosedWith1008(java.net.URI uri, Map<String, String> headers, String reason) {
        try (WsTestClient client = WsTestClient.connect(uri, headers)) {
            WsTestClient.CloseStatus status = client.awaitClose(Duration.ofSeconds(10));
            assertThat(status).isNotNull();
            assertThat(status.code()).isEqualTo(1008);
            assertThat(status.reason()).contains(reason);
        }
    }
}
