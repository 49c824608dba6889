package io.fanout.tools.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServer;

/** Against a real WebSocket server on 127.0.0.1 (Reactor Netty). */
class WsConnectorTest {

    private static final Duration WAIT = LoopbackServer.WAIT;

    @RegisterExtension
    final LoopbackServer net = new LoopbackServer("ws-connector-test");

    /** Records everything a connection reports. */
    static final class Recorder implements WsConnector.Listener {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicReference<String> close = new AtomicReference<>();
        final AtomicInteger ended = new AtomicInteger();
        final AtomicReference<String> error = new AtomicReference<>();

        @Override
        public void opened() {
            opened.incrementAndGet();
        }

        @Override
        public void text(byte[] bytes, int length) {
            texts.add(new String(bytes, 0, length, StandardCharsets.UTF_8));
        }

        @Override
        public void closeStatus(int code, String reason) {
            close.set(code + " " + reason);
        }

        @Override
        public void ended(String why) {
            ended.incrementAndGet();
            error.compareAndSet(null, why);
        }
    }

    private String serve(String... frames) {
        return "ws://"
                + net.start(HttpServer.create()
                        .route(routes -> routes.ws(
                                "/events",
                                (in, out) -> out.sendString(Flux.fromArray(frames))
                                        .then(out.sendClose(4000, "slow consumer"))
                                        .then(Mono.never()))));
    }

    @Test
    void shouldReportTextFramesThenTheServersCloseStatus() {
        String big = "x".repeat(200_000); // larger than one read: the connector hands it over whole
        WsConnector connector = new WsConnector(net.loops(), serve("{\"offset\":1}", big), 10);
        Recorder recorder = new Recorder();

        WsConnector.Attempt attempt = connector.connect("channel=a", recorder, WAIT);

        assertThat(attempt.up().block(WAIT)).isTrue();
        await().atMost(WAIT).until(() -> recorder.ended.get() > 0);
        assertThat(recorder.opened).hasValue(1);
        assertThat(recorder.texts).containsExactly("{\"offset\":1}", big);
        assertThat(recorder.close).hasValue("4000 slow consumer");
    }

    @Test
    void shouldEndWithWhatTheFrameDecoderRejectedWhenTheServerSendsBytesThatAreNotAFrame() {
        // a whole text frame, then a header with a reserved opcode (3): what a stream out of frame alignment shows
        byte[] wire = {(byte) 0x81, 2, '{', '}', (byte) 0x83, 1, 'x'};
        String url = "ws://"
                + net.start(HttpServer.create()
                        .route(routes -> routes.ws("/events", (in, out) -> {
                            // raw bytes past the frame encoder, as fanout's socket writer writes them
                            out.withConnection(c -> c.channel().writeAndFlush(Unpooled.wrappedBuffer(wire)));
                            return Mono.never();
                        })));
        Recorder recorder = new Recorder();

        WsConnector.Attempt attempt = new WsConnector(net.loops(), url, 10).connect("channel=a", recorder, WAIT);

        assertThat(attempt.up().block(WAIT)).isTrue();
        await().atMost(WAIT).until(() -> recorder.ended.get() > 0);
        assertThat(recorder.texts).containsExactly("{}");
        assertThat(recorder.error.get())
                .isEqualTo("CorruptedWebSocketFrameException: data frame using reserved opcode 3");
        assertThat(recorder.close.get())
                .as("the client's own decoder failed: no close frame came from the server")
                .isNull();
    }

    @Test
    void shouldReportAConnectionThatNeverCameUpAsEndedWithAnError() {
        String url = serve();
        net.stop(); // nothing listens on that port any more
        Recorder recorder = new Recorder();

        WsConnector.Attempt attempt = new WsConnector(net.loops(), url, 10).connect("channel=a", recorder, WAIT);

        assertThat(attempt.up().block(WAIT)).isFalse();
        assertThat(recorder.opened).hasValue(0);
        assertThat(recorder.error.get()).isNotBlank();
    }
}
