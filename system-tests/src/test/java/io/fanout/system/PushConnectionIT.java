package io.fanout.system;

import static io.fanout.system.RawHttpConnection.get;
import static io.fanout.system.RawHttpConnection.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /push} as HTTP/1.1 connections carry it: ingest serves most publishes on the connection itself
 * ({@code PushChannelHandler}) and hands every other request to WebFlux, and a client sees one server: answers in the
 * order of its requests, keep-alive, {@code Expect: 100-continue}, {@code Connection: close} and HTTP/1.0 honoured.
 */
class PushConnectionIT {

    private final Platform platform = Platform.get();

    @Test
    void shouldAnswerPipelinedRequestsInTheOrderTheyWereSent() throws Exception {
        String channel = "pipelined." + UUID.randomUUID();
        try (RawHttpConnection connection = new RawHttpConnection(platform.ingestPort())) {
            connection.send(post("/push", publish(channel, "one"), "")
                    + get("/actuator/health/liveness")
                    + post("/push", publish(channel, "two"), "")
                    + post("/push/batch", "[" + publish(channel, "three") + "," + publish(channel, "four") + "]", "")
                    + post("/push", "{\"channel\":\"" + channel + "\"}", "")
                    + post("/push", publish(channel, "five"), ""));

            assertAck(connection.read(), channel, "one");
            RawHttpConnection.Answer health = connection.read();
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).contains("UP");
            assertAck(connection.read(), channel, "two");
            RawHttpConnection.Answer batch = connection.read();
            assertThat(batch.status()).isEqualTo(200);
            JsonNode acks = Json.parse(batch.body());
            assertThat(acks.get(0).get("message").stringValue()).isEqualTo("three");
            assertThat(acks.get(1).get("message").stringValue()).isEqualTo("four");
            RawHttpConnection.Answer refused = connection.read();
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.headers().get("content-type")).isEqualTo("application/problem+json");
            assertThat(refused.body()).contains("\\\"message\\\" is missing");
            assertAck(connection.read(), channel, "five");
        }
    }

    @Test
    void shouldServeManyPipelinedPublishesInOrderEachWrittenOnce() throws Exception {
        String channel = "pipelined-many." + UUID.randomUUID();
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 100; i++) { // Netty's HTTP codec closes a connection with over 128 unanswered requests
            requests.append(post("/push", publish(channel, "m" + i), ""));
        }
        List<Long> offsets = new ArrayList<>();
        try (RawHttpConnection connection = new RawHttpConnection(platform.ingestPort())) {
            connection.send(requests.toString());
            for (int i = 0; i < 100; i++) {
                offsets.add(assertAck(connection.read(), channel, "m" + i)
                        .get("offset")
                        .longValue());
            }
        }
        // one partition per channel: each publish was written once, in the order sent
        assertThat(offsets).isSorted().doesNotHaveDuplicates();
        assertThat(offsets.get(99) - offsets.get(0)).isEqualTo(99);
    }

    @Test
    void shouldKeepServingAConnectionBetweenRequestsThatArriveAtIntervals() throws Exception {
        String channel = "keep-alive." + UUID.randomUUID();
        long served = servedOnTheConnection();
        try (RawHttpConnection connection = new RawHttpConnection(platform.ingestPort())) {
            for (int i = 0; i < 3; i++) {
                assertAck(
                        connection
                                .send(post("/push", publish(channel, "n" + i), ""))
                                .read(),
                        channel,
                        "n" + i);
                Thread.sleep(200);
            }
            assertThat(connection.send(get("/actuator/health/liveness")).read().status())
                    .isEqualTo(200);
            assertAck(
                    connection
                            .send(post("/push", publish(channel, "after"), ""))
                            .read(),
                    channel,
                    "after");
        }
        assertThat(servedOnTheConnection() - served)
                .as("the four publishes served on the connection itself")
                .isEqualTo(4);
    }

    @Test
    void shouldAnswerExpectContinueBeforeReadingTheBody() throws Exception {
        String channel = "expect." + UUID.randomUUID();
        String body = publish(channel, "continued");
        long served = servedOnTheConnection();
        try (RawHttpConnection connection = new RawHttpConnection(platform.ingestPort())) {
            String request = post("/push", body, "Expect: 100-continue\r\n");
            connection.send(request.substring(0, request.length() - body.length()));
            assertThat(connection.read().status()).isEqualTo(100);
            assertAck(connection.send(body).read(), channel, "continued");
        }
        assertThat(servedOnTheConnection() - served)
                .as("served on the connection itself")
                .isEqualTo(1);
    }

    @Test
    void shouldAnswerAPublishThatAsksForH2cInHttp11() throws Exception {
        // Java's HttpClient asks for an upgrade to h2c on plain HTTP; ingest speaks HTTP/1.1 only and answers so
        String channel = "h2c." + UUID.randomUUID();
        long served = servedOnTheConnection();
        try (RawHttpConnection connection = new RawHttpConnection(platform.ingestPort())) {
            String upgrade =
                    "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAAA\r\n";
            assertAck(
                    connection
                            .send(post("/push", publish(channel, "h1"), upgrade))
                            .read(),
                    channel,
                    "h1");
            assertAck(
                    connection
                            .send(post("/push", publish(channel, "h1 again"), ""))
                            .read(),
                    channel,
                    "h1 again");
        }
        assertThat(servedOnTheConnection() - served)
                .as("both served on the connection itself")
                .isEqualTo(2);
    }

    @Test
    void shouldAnswerAndCloseWhenTheClientAsksToClose() throws Exception {
        String channel = "close." + UUID.randomUUID();
        long served = servedOnTheConnection();
        long servedByWebFlux = platform.ingestMeters().timed("http.server.requests", "uri", "/push");
        try (RawHttpConnection connection = new RawHttpConnection(platform.ingestPort())) {
            assertAck(
                    connection
                            .send(post("/push", publish(channel, "last"), "Connection: close\r\n"))
                            .read(),
                    channel,
                    "last");
            assertThat(connection.closedByServer()).isTrue();
        }
        try (RawHttpConnection connection = new RawHttpConnection(platform.ingestPort())) {
            String http10 = post("/push", publish(channel, "old"), "").replaceFirst("HTTP/1.1", "HTTP/1.0");
            assertAck(connection.send(http10).read(), channel, "old");
            assertThat(connection.closedByServer()).isTrue();
        }
        assertThat(servedOnTheConnection() - served)
                .as("none on the connection itself")
                .isZero();
        // WebFlux's observation stops once the exchange is complete, which may be after the client has the answer
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                platform.ingestMeters().timed("http.server.requests", "uri", "/push") - servedByWebFlux)
                        .as("both by WebFlux")
                        .isEqualTo(2));
    }

    @Test
    void shouldRefuseAStreamedBodyOverTheLimitWith413AndThenClose() throws Exception {
        String chunk = "x".repeat(64 * 1024);
        StringBuilder request =
                new StringBuilder("POST /push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n");
        request.append("c\r\n{\"message\":\"\r\n");
        for (int i = 0; i < 5; i++) { // 320 KiB, over the tests' 256 KiB
            request.append(Integer.toHexString(chunk.length()))
                    .append("\r\n")
                    .append(chunk)
                    .append("\r\n");
        }
        request.append("0\r\n\r\n");
        try (RawHttpConnection connection = new RawHttpConnection(platform.ingestPort())) {
            RawHttpConnection.Answer answer =
                    connection.send(request.toString()).read();
            assertThat(answer.status()).isEqualTo(413);
            assertThat(answer.headers().get("connection")).isEqualTo("close");
            assertThat(answer.body()).contains("at most 262144 bytes");
            assertThat(connection.closedByServer()).isTrue();
        }
        String channel = "after-413." + UUID.randomUUID();
        try (RawHttpConnection connection = new RawHttpConnection(platform.ingestPort())) {
            assertAck(
                    connection.send(post("/push", publish(channel, "fine"), "")).read(), channel, "fine");
        }
    }

    /** {@code POST /push} requests answered by ingest's handler on the connection (its timer's count). */
    private long servedOnTheConnection() {
        return platform.ingestMeters().timed("fanout.push.requests");
    }

    private static String publish(String channel, String message) {
        return "{\"channel\":\"" + channel + "\",\"message\":\"" + message + "\"}";
    }

    private static JsonNode assertAck(RawHttpConnection.Answer answer, String channel, String message) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().get("content-type")).isEqualTo("application/json");
        JsonNode ack = Json.parse(answer.body());
        assertThat(ack.get("channel").stringValue()).isEqualTo(channel);
        assertThat(ack.get("message").stringValue()).isEqualTo(message);
        assertThat(ack.get("offset").longValue()).isNotNegative();
        return ack;
    }
}
