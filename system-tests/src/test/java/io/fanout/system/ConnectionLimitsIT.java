package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.testsupport.TestKafka;
import io.fanout.testsupport.WsTestClient;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The connection cap (1013), oversized frames (1009) and graceful shutdown (1001) of fanout-service. */
class ConnectionLimitsIT {

    @Test
    void shouldRefuseAConnectionOverTheCapWith1013AndAdmitOneAgainOnceASocketCloses() throws Exception {
        String topic = TestKafka.newTopic("fanout.events.cap", 2);
        try (Platform fanout = Platform.fanoutOnly(topic, "--fanout.subscribe.max-connections=2");
                JdkWebSocket first = JdkWebSocket.open(fanout.events("channel=cap"));
                JdkWebSocket second = JdkWebSocket.open(fanout.events("channel=cap"))) {
            try (JdkWebSocket third = JdkWebSocket.open(fanout.events("channel=cap"))) {
                assertThat(third.awaitClose(Duration.ofSeconds(10))).startsWith("1013 too many connections");
            }
            assertThat(first.closed)
                    .as("first socket: %s", first.closed.getNow("open"))
                    .isNotDone();
            first.close();
            // once the server has noticed that one socket is gone, a new one is admitted
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions() // refused (closed 1013) while the old one is still counted
                    .untilAsserted(() -> {
                        JdkWebSocket again = JdkWebSocket.open(fanout.events("channel=cap"));
                        try {
                            again.send("{\"message\":\"hello\"}");
                            assertThat(again.frames.poll(2, java.util.concurrent.TimeUnit.SECONDS))
                                    .contains("\"type\":\"ack\"");
                        } finally {
                            again.close();
                        }
                    });
        }
    }

    @Test
    void shouldRefuseAnOversizedFrameWith1009() throws Exception {
        Platform platform = Platform.get(); // frames limited to fanout.publish.max-body-size=256KB
        // a client sending the text as one frame (as browsers do; the JDK client splits it into fragments)
        try (WsTestClient socket = WsTestClient.connect(platform.events("channel=big"))) {
            socket.send("x".repeat(300 * 1024));
            WebSocketCloseStatus status = socket.awaitClose(Duration.ofSeconds(10));
            assertThat(status).isNotNull();
            assertThat(status.code()).isEqualTo(1009);
        }
        try (JdkWebSocket socket = JdkWebSocket.open(platform.events("channel=big"))) {
            socket.send("{\"message\":\"small is fine\"}");
            // the ack and the event itself (the socket follows the channel) may come in either order
            String first = socket.frames.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            String second = socket.frames.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(java.util.List.of(String.valueOf(first), String.valueOf(second)))
                    .anySatisfy(frame -> assertThat(frame).contains("\"type\":\"ack\""))
                    .anySatisfy(frame -> assertThat(frame).contains("small is fine"));
        }
    }

    @Test
    void shouldCloseEverySocketWith1001OnShutdown() throws Exception {
        String topic = TestKafka.newTopic("fanout.events.shutdown", 2);
        Platform fanout = Platform.fanoutOnly(topic);
        List<JdkWebSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                sockets.add(JdkWebSocket.open(fanout.events("channel=bye")));
            }
            long start = System.nanoTime();
            fanout.close();
            for (JdkWebSocket socket : sockets) {
                assertThat(socket.awaitClose(Duration.ofSeconds(15))).startsWith("1001 server shutting down");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        } finally {
            sockets.forEach(JdkWebSocket::close);
            fanout.close();
        }
    }
}
