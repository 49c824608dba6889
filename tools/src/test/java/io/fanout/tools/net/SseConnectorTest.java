package io.fanout.tools.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.netty.http.server.HttpServer;

/** Against a real HTTP server on 127.0.0.1 (Reactor Netty) that streams {@code text/event-stream}. */
class SseConnectorTest {

    private static final Duration WAIT = LoopbackServer.WAIT;

    @RegisterExtension
    final LoopbackServer net = new LoopbackServer("sse-connector-test");

    @Test
    void shouldHandEachEventsDataToTheListenerAndSkipComments() {
        WsConnectorTest.Recorder recorder = readStream(Flux.just(
                ":subscribed\n\n", "id: 1\nevent: message\ndata: {\"a\":1}\n\n", "data: two\ndata: lines\n\n"));

        assertThat(recorder.texts).containsExactly("{\"a\":1}", "two\nlines");
        assertThat(recorder.opened.get()).isEqualTo(1);
    }

    @Test
    void shouldJoinLinesSplitAcrossChunksWithEitherLineEnd() {
        String longData = "x".repeat(5000); // longer than the line and data buffers start with
        String body =
                "id: 7\r\nevent: message\r\ndata: {\"b\":2}\r\n\r\ndata: " + longData + "\n\n:comment\ndata: z\n\n";

        WsConnectorTest.Recorder recorder = readStream(Flux.range(0, (body.length() + 6) / 7)
                .map(i -> body.substring(i * 7, Math.min(body.length(), i * 7 + 7))));

        assertThat(recorder.texts).containsExactly("{\"b\":2}", longData, "z");
    }

    /** Serves {@code body} as a {@code text/event-stream} and reads it to its end with an {@link SseConnector}. */
    private WsConnectorTest.Recorder readStream(Flux<String> body) {
        String address = net.start(HttpServer.create()
                .route(routes -> routes.get(
                        "/sse",
                        (request, response) -> response.header("Content-Type", "text/event-stream")
                                .sendString(body))));
        WsConnectorTest.Recorder recorder = new WsConnectorTest.Recorder();

        WsConnector.Attempt attempt =
                new SseConnector(net.loops(), "http://" + address, 10).connect("channel=a", recorder, WAIT);

        assertThat(attempt.up().block(WAIT)).isTrue();
        await().atMost(WAIT).until(() -> recorder.ended.get() > 0);
        return recorder;
    }

    @Test
    void shouldReportAnswersOtherThan200AsNotUp() {
        String address = net.start(HttpServer.create()
                .route(routes -> routes.get(
                        "/sse", (request, response) -> response.status(401).sendString(Flux.just("no")))));
        WsConnectorTest.Recorder recorder = new WsConnectorTest.Recorder();

        WsConnector.Attempt attempt =
                new SseConnector(net.loops(), "ws://" + address, 10).connect("channel=a", recorder, WAIT);

        assertThat(attempt.up().block(WAIT)).isFalse();
        assertThat(recorder.close.get()).startsWith("401");
        assertThat(recorder.texts).isEmpty();
    }
}
