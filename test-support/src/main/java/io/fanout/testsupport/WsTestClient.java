package io.fanout.testsupport;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * A WebSocket client for tests: collects every text frame it receives, sends text on demand and
 * records the close status the server sent. Optionally reads slowly (or not at all) to play a slow
 * subscriber. The stream's control frames ({@code subscribed}, {@code catching-up}, {@code live}) are kept
 * apart ({@link #controls()}), so {@link #take} sees events, notices and replies only.
 */
public final class WsTestClient implements AutoCloseable {

    private static final List<String> CONTROL_PREFIXES =
            List.of("{\"type\":\"subscribed\"", "{\"type\":\"catching-up\"", "{\"type\":\"live\"");

    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> controls = new LinkedBlockingQueue<>();
    private final Sinks.Many<String> outgoing = Sinks.many().unicast().onBackpressureBuffer();
    private final AtomicReference<WebSocketCloseStatus> closeStatus = new AtomicReference<>();
    private final Sinks.One<Void> closed = Sinks.one();
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    private final Sinks.One<Void> opened = Sinks.one();
    private final Disposable connection;

    private final Sinks.Empty<Void> resumed = Sinks.empty();

    private WsTestClient(URI uri, Duration perFrame, Map<String, String> headers) {
        HttpClient client = HttpClient.create().headers(h -> headers.forEach(h::set));
        this.connection = client.websocket(WebsocketClientSpec.builder()
                        .maxFramePayloadLength(16 * 1024 * 1024)
                        .build())
                .uri(uri)
                .handle((in, out) -> {
                    opened.tryEmitEmpty();
                    in.withConnection(connection -> connection.onDispose(this::end));
                    in.receiveCloseStatus().subscribe(status -> closeStatus.set(status));
                    Mono<Void> receive = perFrame == null
                            ? Mono.never()
                            : perFrame.isNegative()
                                    ? resumed.asMono()
                                            .thenMany(in.receive().asString())
                                            .doOnNext(this::received)
                                            .then()
                                    : perFrame.isZero()
                                            ? in.receive()
                                                    .asString()
                                                    .doOnNext(this::received)
                                                    .then()
                                            : in.receive()
                                                    .asString()
                                                    .delayElements(perFrame)
                                                    .doOnNext(this::received)
                                                    .then();
                    return Mono.firstWithSignal(
                            out.sendString(outgoing.asFlux()).then().then(Mono.never()), receive);
                })
                .doFinally(signal -> end())
                .subscribe(ignored -> {}, error -> end());
    }

    private void received(String frame) {
        if (CONTROL_PREFIXES.stream().anyMatch(frame::startsWith)) {
            controls.add(frame);
        } else {
            frames.add(frame);
        }
    }

    /** The control frames received so far ({@code subscribed}, {@code catching-up}, {@code live}), in order. */
    public BlockingQueue<String> controls() {
        return controls;
    }

    /** Connects and reads every frame as it arrives. */
    public static WsTestClient connect(URI uri) {
        return connectSlow(uri, Duration.ZERO);
    }

    /**
     * Connects and never reads: the server sees a subscriber that cannot keep up. Such a client notices
     * that the server closed the connection only when it writes ({@link #send}).
     */
    public static WsTestClient connectWithoutReading(URI uri) {
        return connectSlow(uri, null);
    }

    /** Connects and reads nothing until {@link #resume()}: a subscriber that stalls for a while. */
    public static WsTestClient connectPaused(URI uri) {
        return connectSlow(uri, Duration.ofMillis(-1));
    }

    /** Starts reading, at full speed, on a client made by {@link #connectPaused}. */
    public void resume() {
        resumed.tryEmitEmpty();
    }

    /** Connects and takes one frame per {@code perFrame}: the server sees a subscriber that cannot keep up. */
    public static WsTestClient connectSlow(URI uri, Duration perFrame) {
        WsTestClient client = new WsTestClient(uri, perFrame, Map.of());
        client.awaitOpen();
        return client;
    }

    /** Connects with these handshake headers (e.g. {@code Authorization}) and reads every frame as it arrives. */
    public static WsTestClient connect(URI uri, Map<String, String> headers) {
        WsTestClient client = new WsTestClient(uri, Duration.ZERO, headers);
        client.awaitOpen();
        return client;
    }

    private void awaitOpen() {
        opened.asMono().block(Duration.ofSeconds(10));
    }

    public void send(String text) {
        outgoing.tryEmitNext(text);
    }

    /** The next frame, or {@code null} if none arrives within {@code timeout}. */
    public String poll(Duration timeout) throws InterruptedException {
        return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for exactly {@code count} frames, failing if they do not all arrive within {@code timeout}. */
    public List<String> take(int count, Duration timeout) throws InterruptedException {
        List<String> taken = new ArrayList<>(count);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (taken.size() < count) {
            long left = deadline - System.nanoTime();
            String frame = frames.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (frame == null) {
                throw new AssertionError(
                        "received " + taken.size() + " of " + count + " frames within " + timeout + ": " + taken);
            }
            taken.add(frame);
        }
        return taken;
    }

    /** Waits until the server closed the socket; returns its close status (null if none was sent). */
    public WebSocketCloseStatus awaitClose(Duration timeout) {
        closed.asMono().block(timeout);
        return closeStatus.get();
    }

    /** Whether the connection has ended (the server closed it, or {@link #close()} was called). */
    public boolean isClosed() {
        return ended.get();
    }

    private void end() {
        ended.set(true);
        closed.tryEmitEmpty();
    }

    @Override
    public void close() {
        outgoing.tryEmitComplete();
        connection.dispose();
    }
}
