package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.testsupport.TestKafka;
import io.fanout.testsupport.WsTestClient;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import tools.jackson.databind.JsonNode;

/**
 * Random bodies, headers, channel names, cursors and WebSocket frames against both running services: every
 * answer is a 2xx/4xx or a refusal close (1008/1009/1013), never a 5xx, and both still serve a normal request
 * afterwards. Random records that fanout did not write sit in the topic between a channel's events, and a client
 * floods frames without reading, while others are served. Inputs come from a seeded {@link Random}: the seed is logged, and {@code -Dfanout.fuzz.seed=N}
 * replays a run; {@code -Dfanout.fuzz.scale=K} multiplies the number of inputs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FuzzIT {

    private static final Logger log = LoggerFactory.getLogger(FuzzIT.class);
    private static final long SEED = Long.getLong("fanout.fuzz.seed", System.nanoTime());
    private static final int SCALE = Integer.getInteger("fanout.fuzz.scale", 1);
    private static final AtomicInteger INPUTS = new AtomicInteger();
    private static final List<String> CONTENT_TYPES = List.of(
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/json;charset=ISO-8859-1",
            "application/problem+json",
            "multipart/form-data; boundary=x",
            "application/octet-stream",
            "*/*");
    private static final List<String> SPECIAL_VALUES = List.of(
            "",
            "-1",
            "0",
            "9223372036854775808",
            "1e3",
            "2026-11-24T10:00:00Z",
            "NaN",
            "%00",
            "3:",
            ":5",
            "1:2,1:3",
            "0:0",
            "r2/0:0",
            "1.0.r1",
            "1.0.r1~abc~bYQ",
            "1.0.r1~abc~bYQ,1.0.r2",
            "1.0.R1~abc~bYQ",
            "1.0.r1~~",
            "2.0.r1",
            "1.0.r1~zzzzzzzzzzzzzz~uAAAAAAAAAAAAAAAAAAAAAA");
    private static final List<String> QUERY_NAMES = List.of("from", "last", "since", "cursor", "channel", "token", "x");
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
            HttpStatusCode status = platform.ingestClient()
                    .post()
                    .uri(random.nextBoolean() ? "/push" : "/push/batch")
                    .header("Content-Type", contentType)
                    .header("Idempotency-Key", idempotencyKey)
                    .bodyValue(body.getBytes(StandardCharsets.UTF_8))
                    .exchange()
                    .expectBody()
                    .returnResult()
                    .getStatus();
            assertThat(status.is5xxServerError())
                    .as("seed %d: POST %s -> %s", SEED, body, status)
                    .isFalse();
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
                String closed = socket.closed
                        .completeOnTimeout("open", 300, TimeUnit.MILLISECONDS)
                        .get();
                assertThat(closed).as("seed %d: %s", SEED, uri).matches("open|1008 .*|1013 .*|4001 .*");
            }
            HttpStatusCode sse = statusOnly(platform.fanoutClient()
                    .get()
                    .uri(URI.create("http://127.0.0.1:"
                            + platform.fanoutPort() + "/sse?channel=" + encode(channel) + "&" + cursorName + "="
                            + encode(cursor) + "&last=1"))
                    .exchange()
                    .returnResult(byte[].class));
            assertThat(sse.is5xxServerError())
                    .as("seed %d: /sse %s %s", SEED, channel, cursor)
                    .isFalse();
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
                    assertThat(socket.closed.get())
                            .as("seed %d: frame %s", SEED, sent)
                            .matches("1008 .*|1009 .*");
                } else {
                    assertThat(received)
                            .as("seed %d: frame %s got no answer of its own", SEED, sent)
                            .hasSizeGreaterThan(2);
                    assertThat(received)
                            .filteredOn(f -> f.contains("\"type\":\"error\""))
                            .allSatisfy(error -> assertThat(
                                            Json.parse(error).get("status").intValue())
                                    .isIn(400, 403, 413, 422));
                }
            }
        }
    }

    /**
     * Random records that fanout did not write (no key, the channel's key over bytes that are not an Event, random
     * keys, empty and null values) between a channel's events in its partition: a replay from a random cursor gets
     * exactly the channel's events, in order, and the socket stays open.
     */
    @Test
    void shouldReplayAChannelThroughRandomForeignRecordsInItsPartition() throws Exception {
        Random random = new Random(SEED + 3);
        String channel = "fuzz.foreign." + UUID.randomUUID();
        Publisher publisher = new Publisher(platform);
        List<JsonNode> acks = new ArrayList<>();
        int partition = -1;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            for (int i = 0; i < 20; i++) {
                acks.add(publisher.push(channel, Integer.toString(i)));
                partition = acks.get(0).get("partition").intValue();
                for (int junk = random.nextInt(4); junk > 0; junk--) {
                    INPUTS.incrementAndGet();
                    byte[] key = switch (random.nextInt(3)) {
                        case 0 -> null;
                        case 1 -> channel.getBytes(StandardCharsets.UTF_8);
                        default -> anyText(random, random.nextInt(20)).getBytes(StandardCharsets.UTF_8);
                    };
                    byte[] value = random.nextInt(5) == 0
                            ? null
                            : anyText(random, random.nextInt(80)).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(platform.topic, partition, key, value))
                            .get();
                }
            }
        }
        int from = random.nextInt(acks.size());
        String cursor = switch (random.nextInt(3)) {
            case 0 -> "from=" + acks.get(from).get("offset").longValue();
            case 1 -> "last=" + (acks.size() - from);
            default ->
                "from=" + partition + "%3A" + acks.get(from).get("offset").longValue();
        };
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + channel + "&" + cursor))) {
            List<String> frames = client.take(acks.size() - from, Duration.ofSeconds(60));
            for (int i = from; i < acks.size(); i++) {
                assertThat(Json.parse(frames.get(i - from)).get("message").intValue())
                        .as("seed %d: %s", SEED, cursor)
                        .isEqualTo(i);
            }
            assertThat(client.isClosed()).as("seed %d: %s", SEED, cursor).isFalse();
        }
    }

    /**
     * A client that sends random frames as fast as it can and never reads what comes back does not stop the
     * instance from serving others: a new subscriber gets a push while it is still at it.
     */
    @Test
    void shouldKeepServingOthersWhileAClientSendsRandomFramesWithoutReading() throws Exception {
        Random random = new Random(SEED + 4);
        String other = "fuzz.other." + UUID.randomUUID();
        try (WsTestClient talker = WsTestClient.connectWithoutReading(platform.events("channel=fuzz.talker"));
                WsTestClient listener = WsTestClient.connect(platform.events("channel=" + other))) {
            for (int i = 0; i < 3_000 * SCALE && !talker.isClosed(); i++) {
                INPUTS.incrementAndGet();
                String frame = new String(body(random).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
                talker.send(frame.isEmpty() ? " " : frame);
            }
            new Publisher(platform).push(other, "\"still served\"");
            assertThat(Json.parse(listener.take(1, Duration.ofSeconds(30)).get(0))
                            .get("message")
                            .stringValue())
                    .as("seed %d", SEED)
                    .isEqualTo("still served");
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
        platform.ingestClient()
                .post()
                .uri("/push")
                .header("Content-Type", "application/json")
                .bodyValue("{\"channel\":\"after-fuzz\",\"message\":1}")
                .exchange()
                .expectStatus()
                .isOk();
        try (JdkWebSocket socket = JdkWebSocket.open(platform.events("channel=after-fuzz"))) {
            socket.send("{\"message\":2}");
            // the ack and the event itself (the socket follows the channel) may come in either order
            String first = socket.frames.poll(10, TimeUnit.SECONDS);
            String second = socket.frames.poll(10, TimeUnit.SECONDS);
            assertThat(List.of(String.valueOf(first), String.valueOf(second)))
                    .anySatisfy(frame -> assertThat(frame).contains("\"type\":\"ack\""))
                    .anySatisfy(frame -> assertThat(frame).contains("\"message\":2"));
        }
        log.info(
                "fuzz: {} random inputs (seed {}) tried against both services; no 5xx, no unexpected close",
                INPUTS.get(),
                SEED);
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
