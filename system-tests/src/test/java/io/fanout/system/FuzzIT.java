package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.test.web.reactive.server.FluxExchangeResult;

/**
 * Random bodies, headers, channel names, cursors and WebSocket frames against both running services: every
 * answer is a 2xx/4xx or a refusal close (1008/1009/1013), never a 5xx, and both still serve a normal request
 * afterwards. Inputs come from a seeded {@link Random}: the seed is logged, and {@code -Dfanout.fuzz.seed=N}
 * replays a run; {@code -Dfanout.fuzz.scale=K} multiplies the number of inputs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FuzzIT {

    private static final Logger log = LoggerFactory.getLogger(FuzzIT.class);
    private static final long SEED = Long.getLong("fanout.fuzz.seed", System.nanoTime());
    private static final int SCALE = Integer.getInteger("fanout.fuzz.scale", 1);
    private static final AtomicInteger INPUTS = new AtomicInteger();
    private static final List<String> CONTENT_TYPES = List.of("application/json", "text/plain",
            "application/x-www-form-urlencoded", "application/json;charset=ISO-8859-1", "application/problem+json",
            "multipart/form-data; boundary=x", "application/octet-stream", "*/*");
    private static final List<String> SPECIAL_VALUES = List.of("", "-1", "0", "9223372036854775808", "1e3",
            "2026-11-24T10:00:00Z", "NaN", "%00", "3:", ":5", "1:2,1:3", "0:0");
    private static final List<String> QUERY_NAMES = List.of("from", "last", "since", "channel", "token", "x");
    private static final String JSONISH = "{}[]\":,0123456789.-eE truefalsn\\channelmsg";

    private final Platform platform = Platform.get();

    @Test
    void shouldNeverAnswerAPushWithA5xx() {
        Random random = new Random(SEED);
        for (int i = 0; i < 300 * SCALE; i++) {
            String body = body(random);
            boolean json = random.nextBoolean();
            String contentType = json ? "application/json" : pick(random, CONTENT_TYPES);
            String idempotencyKey = printable(random, 1 + random.nextInt(300));
            INPUTS.incrementAndGet();
            HttpStatusCode status = platform.ingestClient().post().uri(random.nextBoolean() ? "/push" : "/push/batch")
                    .header("Content-Type", contentType)
                    .header("Idempotency-Key", idempotencyKey)
                    .bodyValue(body.getBytes(StandardCharsets.UTF_8)).exchange().expectBody().returnResult().getStatus();
            assertThat(status.is5xxServerError()).as("seed %d: POST %s -> %s", SEED, body, status).isFalse();
        }
    }

    @Test
    void shouldRefuseBadSubscriptionsWithACloseCodeNeverAnError() throws Exception {
        Random random = new Random(SEED + 1);
        for (int i = 0; i < 60 * SCALE; i++) {
            String channel = queryValue(random);
            String cursor = queryValue(random);
            String cursorName = pick(random, QUERY_NAMES);
            INPUTS.incrementAndGet();
            URI uri = platform.events("channel=" + encode(channel) + "&" + cursorName + "=" + encode(cursor));
            try (JdkWebSocket socket = JdkWebSocket.open(uri)) {
                String closed = socket.closed.completeOnTimeout("open", 300, TimeUnit.MILLISECONDS).get();
                assertThat(closed).as("seed %d: %s", SEED, uri).matches("open|1008 .*|1013 .*");
            }
            HttpStatusCode sse = statusOnly(platform.fanoutClient().get().uri(URI.create("http://127.0.0.1:"
                    + platform.fanoutPort() + "/sse?channel=" + encode(channel) + "&" + cursorName + "="
                    + encode(cursor) + "&last=1")).exchange().returnResult(byte[].class));
            assertThat(sse.is5xxServerError()).as("seed %d: /sse %s %s", SEED, channel, cursor).isFalse();
        }
    }

    /**
     * Every random frame is answered: an error frame, an ack (a publish object) or its own event (a plain message is
     * published to the channel this socket follows), unless the socket is closed with 1008/1009. A publish object
     * sent after it proves the answer came: replies keep the order of the frames and events of a channel keep
     * their order, so once the marker's ack and event are back, whatever the random frame caused is back too.
     */
    @Test
    void shouldAnswerRandomFramesWithAnAckOrAnErrorFrameNeverAnUnexpectedClose() throws Exception {
        Random random = new Random(SEED + 2);
        for (int i = 0; i < 60 * SCALE; i++) {
            // a WebSocket text frame is UTF-8: lone surrogates cannot be sent, so they become '?'
            String frame = new String(body(random).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            String sent = frame.isEmpty() ? " " : frame;
            String marker = "still here " + i;
            INPUTS.incrementAndGet();
            try (JdkWebSocket socket = JdkWebSocket.open(platform.events("channel=fuzz"))) {
                socket.send(sent);
                socket.send("{\"message\":\"" + marker + "\"}");
                List<String> received = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    socket.frames.drainTo(received);
                    return socket.closed.isDone() || markerAnswered(received, marker);
                });
                if (socket.closed.isDone()) {
                    assertThat(socket.closed.get()).as("seed %d: frame %s", SEED, sent).matches("1008 .*|1009 .*");
                } else {
                    assertThat(received).as("seed %d: frame %s got no answer of its own", SEED, sent).hasSizeGreaterThan(2);
                    assertThat(received).filteredOn(f -> f.contains("\"type\":\"error\""))
                            .allSatisfy(error -> assertThat(Json.parse(error).get("status").intValue())
                                    .isIn(400, 403, 413, 422));
                }
            }
        }
    }

    /** Whether both the marker's event and the ack with that event's id have arrived. */
    private static boolean markerAnswered(List<String> frames, String marker) {
        String id = null;
        for (String frame : frames) {
            if (!frame.contains("\"type\":") && frame.contains("\"" + marker + "\"")) {
                id = Json.parse(frame).get("id").stringValue();
            }
        }
        if (id == null) {
            return false;
        }
        for (String frame : frames) {
            if (frame.contains("\"type\":\"ack\"") && frame.contains("\"" + id + "\"")) {
                return true;
            }
        }
        return false;
    }

    @Test
    @Order(Integer.MAX_VALUE) // after the fuzzing: both services still serve a normal request
    void shouldStillServeNormalRequests() throws Exception {
        platform.ingestClient().post().uri("/push").header("Content-Type", "application/json")
                .bodyValue("{\"channel\":\"after-fuzz\",\"message\":1}").exchange().expectStatus().isOk();
        try (JdkWebSocket socket = JdkWebSocket.open(platform.events("channel=after-fuzz"))) {
            socket.send("{\"message\":2}");
            // the ack and the event itself (the socket follows the channel) may come in either order
            String first = socket.frames.poll(10, TimeUnit.SECONDS);
            String second = socket.frames.poll(10, TimeUnit.SECONDS);
            assertThat(List.of(String.valueOf(first), String.valueOf(second)))
                    .anySatisfy(frame -> assertThat(frame).contains("\"type\":\"ack\""))
                    .anySatisfy(frame -> assertThat(frame).contains("\"message\":2"));
        }
        log.info("fuzz: {} random inputs (seed {}) tried against both services; no 5xx, no unexpected close",
                INPUTS.get(), SEED);
    }

    /** Any text, JSON-like noise, or a nearly valid publish object with a random field value. */
    private static String body(Random random) {
        switch (random.nextInt(3)) {
            case 0:
                return anyText(random, random.nextInt(301));
            case 1:
                return fromAlphabet(random, JSONISH, random.nextInt(201));
            default:
                String field = pick(random, List.of("channel", "message", "chanel", "id"));
                String value = anyText(random, random.nextInt(61));
                return "{\"" + field + "\":" + Json.MAPPER.writeValueAsString(value) + ",\"message\":" + value.length()
                        + "}";
        }
    }

    private static String queryValue(Random random) {
        switch (random.nextInt(3)) {
            case 0:
                return anyText(random, random.nextInt(61));
            case 1:
                return Long.toString(random.nextLong());
            default:
                return pick(random, SPECIAL_VALUES);
        }
    }

    /** Characters from the whole BMP, control characters and lone surrogates included. */
    private static String anyText(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x80) : (char) random.nextInt(0x10000));
        }
        return text.toString();
    }

    private static String printable(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('!' + random.nextInt('~' - '!' + 1)));
        }
        return text.toString();
    }

    private static String fromAlphabet(Random random, String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * The status of a response whose body (an endless SSE stream) is not wanted: cancelling the body releases the
     * buffers read of it, which an unconsumed result leaves to the garbage collector (a Netty leak report).
     */
    private static HttpStatusCode statusOnly(FluxExchangeResult<byte[]> result) {
        HttpStatusCode status = result.getStatus();
        result.getResponseBody().subscribe().dispose();
        return status;
    }
}
