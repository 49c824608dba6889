package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.testsupport.TestKafka;
import io.fanout.testsupport.WsTestClient;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The connection cap (1013), oversized frames and messages (1009) and graceful shutdown (1001) of fanout-service.
 */
class ConnectionLimitsIT {

    @Test
    void shouldRefuseAConnectionOverTheCapWith1013AndAdmitOneAgainOnceASocketCloses() throws Exception {
        String topic = TestKafka.newTopic("fanout.events.cap", 2);
        try (Platform fanout = Platform.fanoutOnly(topic, "--fanout.subscribe.max-connections=2");
                WsTestClient first = WsTestClient.connect(fanout.events("channel=cap"));
                WsTestClient second = WsTestClient.connect(fanout.events("channel=cap"))) {
            // both admitted (each session's first frame is subscribed) before the third knocks: a handshake is done
            // on the client before the server's handler has counted the connection
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            !first.controls().isEmpty() && !second.controls().isEmpty());
            try (WsTestClient third = WsTestClient.connect(fanout.events("channel=cap"))) {
                assertThat(third.awaitClose(Duration.ofSeconds(10))).asString().startsWith("1013 too many connections");
            }
            assertThat(first.isClosed())
                    .as("first socket: %s", first.closeStatus())
                    .isFalse();
            first.close();
            // once the server has noticed that one socket is gone, a new one is admitted
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions() // refused (closed 1013) while the old one is still counted
                    .untilAsserted(() -> {
                        WsTestClient again = WsTestClient.connect(fanout.events("channel=cap"));
                        try {
                            again.send("{\"message\":\"hello\"}");
                            assertThat(again.poll(Duration.ofSeconds(2))).contains("\"type\":\"ack\"");
                        } finally {
                            again.close();
                        }
                    });
        }
    }

    @Test
    void shouldRefuseAnOversizedFrameWith1009() throws Exception {
        Platform platform = Platform.get(); // frames limited to fanout.publish.max-body-size=256KB
        // WsTestClient sends the text as one frame, as browsers do (the JDK's client would split it into fragments)
        try (WsTestClient socket = WsTestClient.connect(platform.events("channel=big"))) {
            socket.send("x".repeat(300 * 1024));
            WsTestClient.CloseStatus status = socket.awaitClose(Duration.ofSeconds(10));
            assertThat(status).isNotNull();
            assertThat(status.code()).isEqualTo(1009);
        }
        try (WsTestClient socket = WsTestClient.connect(platform.events("channel=big"))) {
            socket.send("{\"message\":\"small is fine\"}");
            // the ack and the event itself (the socket follows the channel) may come in either order
            String first = socket.poll(Duration.ofSeconds(10));
            String second = socket.poll(Duration.ofSeconds(10));
            assertThat(java.util.List.of(String.valueOf(first), String.valueOf(second)))
                    .anySatisfy(frame -> assertThat(frame).contains("\"type\":\"ack\""))
                    .anySatisfy(frame -> assertThat(frame).contains("small is fine"));
        }
    }

    @Test
    void shouldRefuseAnOversizedMessageSentAsFragmentsWith1009() throws Exception {
        Platform platform = Platform.get(); // messages limited to fanout.publish.max-body-size=256KB
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode + " " + reason);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete("error " + error);
            }
        };
        // one text sent as two fragments, each within the limit: only their sum is too big
        WebSocket socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(platform.events("channel=big-fragments"), listener)
                .get(10, TimeUnit.SECONDS);
        try {
            // 255 KB, then 2 KB: the second fragment is read whole before the limit (256 KB) is passed, so no unread
            // bytes are left for the server's close to reset the connection over
            socket.sendText("x".repeat(255 * 1024), false).get(10, TimeUnit.SECONDS);
            socket.sendText("x".repeat(2 * 1024), true).exceptionally(failed -> null); // the close is what counts
            assertThat(closed.get(10, TimeUnit.SECONDS))
                    .isEqualTo("1009 message too big: content length exceeded 262144 bytes.");
        } finally {
            socket.abort();
        }
    }

    @Test
    void shouldCloseEverySocketWith1001OnShutdown() throws Exception {
        String topic = TestKafka.newTopic("fanout.events.shutdown", 2);
        Platform fanout = Platform.fanoutOnly(topic);
        List<WsTestClient> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                sockets.add(WsTestClient.connect(fanout.events("channel=bye")));
            }
            long start = System.nanoTime();
            fanout.close();
            for (WsTestClient socket : sockets) {
                assertThat(socket.awaitClose(Duration.ofSeconds(15)))
                        .asString()
                        .startsWith("1001 server shutting down");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        } finally {
            sockets.forEach(WsTestClient::close);
            fanout.close();
        }
    }
}
