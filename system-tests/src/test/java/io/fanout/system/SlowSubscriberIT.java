package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.testsupport.WsTestClient;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What still ends a session: a client further behind than {@code max-lag} (close 4000), and a client that reads
 * nothing at all (the stuck-write guard), even one that keeps sending. A fast subscriber on the same channel gets
 * everything meanwhile. Runs on an instance of its own with a small {@code max-lag} and {@code write-timeout}.
 */
class SlowSubscriberIT {

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    private static Platform platform;

    @BeforeAll
    static void start() {
        platform = Platform.start(
                "--fanout.subscribe.buffer-size=32",
                "--fanout.subscribe.max-lag=50",
                "--fanout.replay.poll-records=10",
                "--fanout.subscribe.write-timeout=" + WRITE_TIMEOUT.toSeconds() + "s");
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private final Publisher publisher = new Publisher(platform);

    @Test
    void shouldCloseASubscriberFurtherBehindThanMaxLagWith4000WhileAFastOneGetsEverything() throws Exception {
        String channel = "it.slow." + UUID.randomUUID();
        int events = 300;
        try (WsTestClient fast = WsTestClient.connect(platform.events("channel=" + channel))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> liveSessions() >= 1);
            for (int i = 0; i < events; i += 100) {
                publisher.batches(channel, i, i + 100, 100, Publisher.padded(10));
            }
            List<String> frames = fast.take(events, Duration.ofSeconds(60));
            for (int i = 0; i < events; i++) {
                assertThat(Json.parse(frames.get(i)).get("message").get("n").intValue())
                        .isEqualTo(i);
            }
            long first = Json.parse(frames.get(0)).get("offset").longValue();
            // 300 events behind the log end, and it reads 10 at a time: more than max-lag (50) behind
            try (WsTestClient behind = WsTestClient.connect(platform.events("channel=" + channel + "&from=" + first))) {
                var status = behind.awaitClose(Duration.ofSeconds(60));
                assertThat(status).as("the subscriber behind was closed").isNotNull();
                assertThat(status.code()).isEqualTo(4000);
                assertThat(status.reason()).contains("more than 50 events behind", "from=");
            }
            assertThat(fast.isClosed()).isFalse();
        }
    }

    @Test
    void shouldCutOffAClientThatReadsNothingWithinTheWriteTimeout() throws Exception {
        String channel = "it.stuck." + UUID.randomUUID();
        try (WsTestClient stuck = WsTestClient.connectPaused(platform.events("channel=" + channel))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> liveSessions() >= 1);
            for (int i = 0; i < 150; i += 3) {
                publisher.batches(channel, i, i + 3, 3, Publisher.padded(64 * 1024));
            }
            // the server drops the connection; a client that never reads notices on writing
            await().atMost(WRITE_TIMEOUT.multipliedBy(4))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        stuck.send("are you there?");
                        return stuck.isClosed();
                    });
        }
    }

    @Test
    void shouldCutOffAClientThatPublishesWithoutReadingAndStillServeOthers() throws Exception {
        String channel = "it.talker." + UUID.randomUUID();
        try (WsTestClient talker = WsTestClient.connectPaused(platform.events("channel=" + channel))) {
            await().atMost(WRITE_TIMEOUT.multipliedBy(8))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        for (int i = 0; i < 2_000; i++) {
                            talker.send("{\"message\":" + i + "}"); // each asks for an ack frame it never reads
                        }
                        return talker.isClosed();
                    });
        }
        String other = "it.after-talker." + UUID.randomUUID();
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + other))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> liveSessions() >= 1);
            publisher.batches(other, 0, 1, 1, Publisher.padded(10));
            assertThat(Json.parse(client.take(1, Duration.ofSeconds(30)).get(0))
                            .get("message")
                            .get("n")
                            .intValue())
                    .isZero();
        }
    }

    private double liveSessions() {
        return platform.fanoutMeters().value("fanout.sessions", "state", "live");
    }
}
