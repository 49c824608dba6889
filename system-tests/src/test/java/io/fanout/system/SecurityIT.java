package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import io.fanout.testsupport.WsTestClient;
import io.fanout.tools.token.Tokens;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.time.Duration;
import java.net.http.WebSocket;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
        platform = Platform.start("--fanout.auth.enabled=true", "--fanout.auth.hmac-secret=" + SECRET,
                "--fanout.auth.clock-skew=0s", "--fanout.cors.allowed-origins=" + ORIGIN);
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
        return Tokens.hs256(SECRET, new JWTClaimsSet.Builder().subject("x").issueTime(new Date(now - 60_000))
                .expirationTime(new Date(now - 10_000)).claim("fanout.publish", List.of("*"))
                .claim("fanout.subscribe", List.of("*")).build());
    }

    private static WebTestClient.ResponseSpec push(String token, String body) {
        WebTestClient.RequestBodySpec request = platform.ingestClient().post().uri("/push")
                .contentType(MediaType.APPLICATION_JSON);
        if (token != null) {
            request = request.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        return request.bodyValue(body).exchange();
    }

    private static JsonNode problem(WebTestClient.ResponseSpec response, HttpStatus status) {
        byte[] body = response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().returnResult().getResponseBody();
        JsonNode problem = Json.parse(body);
        assertThat(problem.get("status").intValue()).isEqualTo(status.value());
        assertThat(problem.get("detail").stringValue()).isNotBlank();
        return problem;
    }

    @Test
    void shouldRefusePushWithoutATokenWith401() {
        JsonNode problem = problem(push(null, "{\"channel\":\"orders\",\"message\":1}")
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer"), HttpStatus.UNAUTHORIZED);
        assertThat(problem.get("detail").stringValue()).contains("bearer token is required");
    }

    @Test
    void shouldRefuseATokenSignedWithAnotherSecretWith401() {
        String forged = Tokens.hs256("another-secret-of-at-least-32-bytes-9876543", "x", List.of("*"),
                List.of("*"), Duration.ofMinutes(5));
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
        String forever = Tokens.hs256(SECRET, new JWTClaimsSet.Builder().subject("x").issueTime(new Date())
                .claim("fanout.publish", List.of("*")).build());
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
        JsonNode problem = problem(platform.ingestClient().post().uri("/push/batch")
                .contentType(MediaType.APPLICATION_JSON).header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .bodyValue("[{\"channel\":\"orders\",\"message\":1},{\"channel\":\"billing\",\"message\":2}]")
                .exchange(), HttpStatus.FORBIDDEN);
        assertThat(problem.get("detail").stringValue()).contains("item 1").contains("'billing'");
        platform.ingestClient().post().uri("/push/batch").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .bodyValue("[{\"channel\":\"orders\",\"message\":1},{\"channel\":\"orders\",\"message\":2}]")
                .exchange().expectStatus().isOk();
    }

    @Test
    void shouldAcceptTheTokenAsAQueryParameter() {
        platform.ingestClient().post().uri("/push?token=" + token(List.of("orders"), List.of()))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"channel\":\"orders\",\"message\":1}")
                .exchange().expectStatus().isOk();
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
        platform.ingestClient().options().uri("/push").header(HttpHeaders.ORIGIN, ORIGIN)
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
                .exchange().expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN);
        platform.ingestClient().options().uri("/push").header(HttpHeaders.ORIGIN, "https://evil.example.net")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .exchange().expectStatus().isForbidden();
    }

    @Test
    void shouldRefuseAWebSocketHandshakeFromAnotherOrigin() {
        platform.fanoutClient().get().uri("/events?channel=orders&token=" + token(List.of(), List.of("*")))
                .header(HttpHeaders.ORIGIN, "https://evil.example.net")
                .header(HttpHeaders.UPGRADE, "websocket").header(HttpHeaders.CONNECTION, "Upgrade")
                .header("Sec-WebSocket-Version", "13").header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .exchange().expectStatus().isForbidden();
    }

    @Test
    void shouldCloseAWebSocketWithoutAValidTokenWith1008() {
        assertClosedWith1008(platform.events("channel=orders"), Map.of(), "token required");
        assertClosedWith1008(platform.events("channel=orders&token=garbage"), Map.of(), "invalid token");
        assertClosedWith1008(platform.events("channel=orders"), Map.of("Authorization", "Bearer " + expired()),
                "token expired");
    }

    @Test
    void shouldCloseASubscriptionToAChannelNotAllowedWith1008() {
        String token = token(List.of(), List.of("orders", "news:*"));
        assertClosedWith1008(platform.events("channel=news:a&channel=billing&token=" + token), Map.of(),
                "'billing'");
    }

    @Test
    void shouldDeliverToAnAllowedSubscriberAndRefusePublishingOverTheSocketToAChannelNotAllowed() throws Exception {
        String token = token(List.of("orders"), List.of("orders", "audit"));
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=orders&channel=audit"),
                Map.of("Authorization", "Bearer " + token))) {
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
        CompletableFuture<String> closed = new CompletableFuture<>();
        long start = System.nanoTime();
        // the JDK client: it reports the close code of a socket closed mid-connection reliably
        java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(platform.events("channel=orders&token=" + shortLived), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
                        closed.complete(code + " " + reason);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        assertThat(closed.get(15, TimeUnit.SECONDS)).isEqualTo("1008 token expired");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void shouldRefuseServerSentEventsWithoutATokenOrForAChannelNotAllowed() {
        platform.fanoutClient().get().uri("/sse?channel=orders").exchange().expectStatus().isUnauthorized();
        String token = token(List.of(), List.of("orders"));
        JsonNode problem = problem(platform.fanoutClient().get().uri("/sse?channel=billing")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange(), HttpStatus.FORBIDDEN);
        assertThat(problem.get("detail").stringValue()).contains("'billing'");
    }

    private static void assertClosedWith1008(java.net.URI uri, Map<String, String> headers, String reason) {
        try (WsTestClient client = WsTestClient.connect(uri, headers)) {
            WebSocketCloseStatus status = client.awaitClose(Duration.ofSeconds(10));
            assertThat(status).isNotNull();
            assertThat(status.code()).isEqualTo(1008);
            assertThat(status.reasonText()).contains(reason);
        }
    }
}
