package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.testsupport.WsTestClient;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/** A subscriber that stops reading is closed alone; a fast one on the same channel gets everything. */
class SlowSubscriberIT {

    private final Platform platform = Platform.get();

    @Test
    void shouldCloseASlowSubscriberWhileAFastOneGetsEverything() throws Exception {
        String channel = "it.slow." + UUID.randomUUID();
        double slowBefore = slowDisconnects();
        int events = 300;
        String payload = "\"" + "y".repeat(64 * 1024) + "\"";
        try (WsTestClient fast = WsTestClient.connect(platform.events("channel=" + channel));
                WsTestClient slow = WsTestClient.connectWithoutReading(platform.events("channel=" + channel))) {
            for (int i = 0; i < events; i += 3) {
                StringBuilder batch = new StringBuilder("[");
                for (int j = i; j < i + 3; j++) {
                    batch.append(j > i ? "," : "").append("{\"channel\":\"").append(channel)
                            .append("\",\"message\":{\"n\":").append(j).append(",\"pad\":").append(payload).append("}}");
                }
                platform.ingestClient().post().uri("/push/batch").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(batch.append(']').toString()).exchange().expectStatus().isOk();
            }

            List<String> frames = fast.take(events, Duration.ofSeconds(60));
            for (int i = 0; i < events; i++) {
                assertThat(Json.parse(frames.get(i)).get("message").get("n").intValue()).isEqualTo(i);
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(slowDisconnects()).isGreaterThan(slowBefore));
            // the server drops the connection after its close grace; a client that never reads notices on writing
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                slow.send("are you there?");
                return slow.isClosed();
            });
            assertThat(fast.isClosed()).isFalse();
            // the fast subscriber is still served after the slow one was dropped
            platform.ingestClient().post().uri("/push").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"channel\":\"" + channel + "\",\"message\":{\"n\":" + events + "}}")
                    .exchange().expectStatus().isOk();
            assertThat(Json.parse(fast.take(1, Duration.ofSeconds(20)).get(0)).get("message").get("n").intValue())
                    .isEqualTo(events);
        }
    }

    @Test
    void shouldTellASubscriberThatFellBehindWhyWithCloseCode4000() throws Exception {
        String channel = "it.slow.code." + UUID.randomUUID();
        double slowBefore = slowDisconnects();
        String payload = "\"" + "z".repeat(64 * 1024) + "\"";
        try (WsTestClient stalled = WsTestClient.connectPaused(platform.events("channel=" + channel))) {
            for (int i = 0; i < 400 && slowDisconnects() <= slowBefore; i += 3) {
                StringBuilder batch = new StringBuilder("[");
                for (int j = i; j < i + 3; j++) {
                    batch.append(j > i ? "," : "").append("{\"channel\":\"").append(channel)
                            .append("\",\"message\":").append(payload).append('}');
                }
                platform.ingestClient().post().uri("/push/batch").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(batch.append(']').toString()).exchange().expectStatus().isOk();
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> slowDisconnects() > slowBefore);
            stalled.resume(); // it reads its backlog, then the close frame the server queued behind it
            var status = stalled.awaitClose(Duration.ofSeconds(30));
            assertThat(status).isNotNull();
            assertThat(status.code()).isEqualTo(4000);
            assertThat(status.reasonText()).contains("slow consumer");
        }
    }

    private double slowDisconnects() {
        String body = new String(platform.fanoutClient().get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody());
        return body.lines().filter(l -> l.startsWith("fanout_sessions_slow_disconnects_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
