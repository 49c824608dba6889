package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatusCode;

/**
 * Random bodies, headers, channel names, cursors and WebSocket frames against both running services: every answer
 * is a 2xx/4xx or a refusal close (1008/1009), never a 5xx, and both still serve a normal request afterwards.
 */
class FuzzIT {

    private static final Logger log = LoggerFactory.getLogger(FuzzIT.class);
    private static final AtomicInteger INPUTS = new AtomicInteger();
    private final Platform platform = Platform.get();

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> anyText = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> jsonish = Arbitraries.strings().withChars("{}[]\":,0123456789.-eE truefalsn\\channelmsg")
                .ofMaxLength(200);
        Arbitrary<String> nearlyValid = Arbitraries.of("channel", "message", "chanel", "id")
                .flatMap(field -> Arbitraries.strings().all().ofMaxLength(60)
                        .map(value -> "{\"" + field + "\":" + Json.MAPPER.writeValueAsString(value) + ",\"message\":"
                                + value.length() + "}"));
        return Arbitraries.oneOf(anyText, jsonish, nearlyValid);
    }

    @Provide
    Arbitrary<String> headerValues() {
        return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(300);
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.of("application/json", "text/plain", "application/x-www-form-urlencoded",
                "application/json;charset=ISO-8859-1", "application/problem+json", "multipart/form-data; boundary=x",
                "application/octet-stream", "*/*");
    }

    @Provide
    Arbitrary<String> queryValues() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.of("", "-1", "0", "9223372036854775808", "1e3", "2026-11-24T10:00:00Z", "NaN", "%00"));
    }

    @Property(tries = 300, afterFailure = AfterFailureMode.RANDOM_SEED)
    void shouldNeverAnswerAPushWithA5xx(@ForAll("bodies") String body,
            @ForAll("contentTypes") String contentType, @ForAll("headerValues") String idempotencyKey,
            @ForAll boolean json) {
        INPUTS.incrementAndGet();
        HttpStatusCode status = platform.ingestClient().post().uri(json ? "/push" : "/push/batch")
                .header("Content-Type", json ? "application/json" : contentType)
                .header("Idempotency-Key", idempotencyKey)
                .bodyValue(body.getBytes(StandardCharsets.UTF_8)).exchange().returnResult(byte[].class).getStatus();
        assertThat(status.is5xxServerError()).as("POST %s -> %s", body, status).isFalse();
    }

    @Property(tries = 60, afterFailure = AfterFailureMode.RANDOM_SEED)
    void shouldRefuseBadSubscriptionsWithACloseCodeNeverAnError(@ForAll("queryValues") String channel,
            @ForAll("queryValues") String cursor, @ForAll("cursorNames") String cursorName) throws Exception {
        INPUTS.incrementAndGet();
        URI uri = platform.events("channel=" + encode(channel) + "&" + cursorName + "=" + encode(cursor));
        try (JdkWebSocket socket = JdkWebSocket.open(uri)) {
            String closed = socket.closed.completeOnTimeout("open", 300, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .get();
            assertThat(closed).as("%s", uri).matches("open|1008 .*|1013 .*");
        }
        HttpStatusCode sse = platform.fanoutClient().get().uri(URI.create("http://127.0.0.1:" + platform.fanoutPort()
                + "/sse?channel=" + encode(channel) + "&" + cursorName + "=" + encode(cursor) + "&last=1"))
                .exchange().returnResult(byte[].class).getStatus();
        assertThat(sse.is5xxServerError()).as("/sse %s %s", channel, cursor).isFalse();
    }

    @Provide
    Arbitrary<String> cursorNames() {
        return Arbitraries.of("from", "last", "since", "channel", "token", "x");
    }

    @Property(tries = 60, afterFailure = AfterFailureMode.RANDOM_SEED)
    void shouldAnswerRandomFramesWithAnAckOrAnErrorFrameNeverAnUnexpectedClose(@ForAll("bodies") String frame)
            throws Exception {
        INPUTS.incrementAndGet();
        // a WebSocket text frame is UTF-8: the client cannot send lone surrogates, so they become '?'
        frame = new String(frame.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        if (frame.isEmpty()) {
            frame = " ";
        }
        try (JdkWebSocket socket = JdkWebSocket.open(platform.events("channel=fuzz"))) {
            socket.send(frame);
            socket.send("{\"message\":\"still here\"}");
            String closed = socket.closed.completeOnTimeout("open", 300, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .get();
            assertThat(closed).as("frame %s", frame).matches("open|1008 .*|1009 .*");
        }
    }

    @AfterContainer
    static void shouldStillServeNormalRequests() throws Exception {
        Platform platform = Platform.get();
        platform.ingestClient().post().uri("/push").header("Content-Type", "application/json")
                .bodyValue("{\"channel\":\"after-fuzz\",\"message\":1}").exchange().expectStatus().isOk();
        try (JdkWebSocket socket = JdkWebSocket.open(platform.events("channel=after-fuzz"))) {
            socket.send("{\"message\":2}");
            assertThat(socket.frames.poll(10, java.util.concurrent.TimeUnit.SECONDS)).contains("\"type\":\"ack\"");
        }
        log.info("fuzz: {} random inputs tried against both services; no 5xx, no unexpected close", INPUTS.get());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
