package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

/** With auth on, an SSE stream ends when its token expires, as a WebSocket does: an error event, then the end. */
class SseTokenExpiryIT {

    private static final String SECRET = "sse-expiry-secret-of-at-least-32-bytes-01234";
    private static Platform platform;

    @BeforeAll
    static void start() {
        platform = Platform.start(
                "--fanout.auth.enabled=true", "--fanout.auth.hmac-secret=" + SECRET, "--fanout.auth.clock-skew=0s");
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    @Test
    void shouldEndAnSseStreamWhenItsTokenExpires() throws Exception {
        platform.fanoutClient().get().uri("/actuator/health").exchange(); // a cold first request can take seconds
        long now = System.currentTimeMillis();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder()
                        .subject("x")
                        .issueTime(new Date(now))
                        .expirationTime(new Date(now + 8_000))
                        .claim("fanout.publish", List.of())
                        .claim("fanout.subscribe", List.of("orders"))
                        .build());
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        long start = System.nanoTime();
        List<ServerSentEvent<String>> events = WebClient.create("http://127.0.0.1:" + Platform.port(platform.fanout))
                .get()
                .uri("/sse?channel=orders")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + jwt.serialize())
                .accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .collectList()
                .block(Duration.ofSeconds(30)); // completes only when the server ends the stream
        assertThat(events).isNotEmpty();
        ServerSentEvent<String> last = events.get(events.size() - 1);
        assertThat(last.event()).isEqualTo("error");
        assertThat(last.data()).contains("token expired");
        assertThat(last.retry()).isNotNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(28));
    }
}
