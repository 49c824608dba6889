package io.fanout.testsupport;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;

/**
 * The WebSocket client of every test: it sends text (each text as one frame, as browsers do), collects the text
 * frames it receives, and reports the close code and reason the server sent. The stream's control frames
 * ({@code subscribed}, {@code catching-up}, {@code live}) are kept apart ({@link #controls()}), so {@link #take}
 * and {@link #poll} see events, notices and replies only.
 *
 * <p>Reading is driven by demand: the client asks for one frame at a time, and while it is {@linkplain #pause()
 * paused} it asks for none, so Reactor Netty stops reading the socket and the server sees a subscriber that takes
 * nothing (TCP back-pressure). A paused client notices that the server closed the connection only once it reads
 * again or writes ({@link #send}).
 *
 * <p>Each client has a connection of its own (no pool), so any number may be open at once.
 */
public final class WsTestClient implements AutoCloseable {

    private static final List<String> CONTROL_PREFIXES =
            List.of("{\"type\":\"subscribed\"", "{\"type\":\"catching-up\"", "{\"type\":\"live\"");
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(10);

    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> controls = new LinkedBlockingQueue<>();
    private final Sinks.Many<String> outgoing = Sinks.many().unicast().onBackpressureBuffer();
    private final Sinks.One<Void> opened = Sinks.one();
    private final Sinks.One<CloseStatus> closed = Sinks.one();
    private final AtomicReference<CloseStatus> closeStatus = new AtomicReference<>();
    private final Reader reader;
    private final Disposable connection;

    private WsTestClient(URI uri, Options options) {
        this.reader = new Reader(options.paused);
        WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder().maxFramePayloadLength(16 * 1024 * 1024);
        if (options.subprotocol != null) {
            spec.protocols(options.subprotocol);
        }
        this.connection = HttpClient.newConnection()
                .headers(h -> options.headers.forEach(h::set))
                .websocket(spec.build())
                .uri(uri)
                .handle((in, out) -> {
                    opened.tryEmitEmpty();
                    in.withConnection(c -> c.onDispose(() -> ended("the connection ended without a close frame")));
                    in.receiveCloseStatus()
                            .subscribe(status -> ended(new CloseStatus(status.code(), status.reasonText())));
                    return Mono.firstWithSignal(
                            out.sendString(outgoing.asFlux()).then().then(Mono.never()), receive(in));
                })
                .subscribe(ignored -> {}, this::failed, () -> ended("the connection ended without a close frame"));
    }

    /** Connects and reads every frame as it arrives. */
    public static WsTestClient connect(URI uri) {
        return options().connect(uri);
    }

    /** Connects with these handshake headers (e.g. {@code Authorization}) and reads every frame as it arrives. */
    public static WsTestClient connect(URI uri, Map<String, String> headers) {
        Options options = options();
        headers.forEach(options::header);
        return options.connect(uri);
    }

    /**
     * Connects and reads nothing until {@link #resume()}: a subscriber that stalls for a while, or (never resumed)
     * one that cannot keep up at all.
     */
    public static WsTestClient connectPaused(URI uri) {
        return options().paused().connect(uri);
    }

    /** What the next connection sends with its handshake and how it starts reading. */
    public static Options options() {
        return new Options();
    }

    private Mono<Void> receive(WebsocketInbound in) {
        return Mono.create(done -> in.receive().asString().subscribe(reader.until(done)));
    }

    private void received(String frame) {
        if (CONTROL_PREFIXES.stream().anyMatch(frame::startsWith)) {
            controls.add(frame);
        } else {
            frames.add(frame);
        }
    }

    private void failed(Throwable error) {
        opened.tryEmitError(error);
        ended("the connection failed: " + error);
    }

    private void ended(String why) {
        ended(new CloseStatus(CloseStatus.ABNORMAL, why));
    }

    private void ended(CloseStatus status) {
        if (closeStatus.compareAndSet(null, status)) {
            closed.tryEmitValue(status);
        }
    }

    private WsTestClient awaitOpen() {
        try {
            opened.asMono().block(OPEN_TIMEOUT);
        } catch (RuntimeException e) {
            connection.dispose();
            throw e;
        }
        return this;
    }

    /** The control frames received so far ({@code subscribed}, {@code catching-up}, {@code live}), in order. */
    public BlockingQueue<String> controls() {
        return controls;
    }

    /** Sends {@code text} as one text frame. */
    public void send(String text) {
        outgoing.tryEmitNext(text);
    }

    /** Stops reading: no further frame is asked for until {@link #resume()}. */
    public void pause() {
        reader.pause();
    }

    /** Reads again, at full speed. */
    public void resume() {
        reader.resume();
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
                throw new AssertionError("received " + taken.size() + " of " + count + " frames within " + timeout
                        + "; the last: " + taken.subList(Math.max(0, taken.size() - 3), taken.size())
                        + "; control frames: " + List.copyOf(controls)
                        + "; connection: " + (isClosed() ? "closed " + closeStatus() : "open"));
            }
            taken.add(frame);
        }
        return taken;
    }

    /** Moves every frame received and not yet taken into {@code into}. */
    public void drainTo(Collection<String> into) {
        frames.drainTo(into);
    }

    /**
     * Waits at most {@code timeout} for the connection to end: the close code and reason the server sent (or
     * {@link CloseStatus#ABNORMAL} if it ended without a close frame), or {@code null} if it is still open.
     */
    public CloseStatus awaitClose(Duration timeout) {
        return closed.asMono().timeout(timeout, Mono.empty()).blockOptional().orElse(null);
    }

    /** How the connection ended, or {@code null} while it is open. */
    public CloseStatus closeStatus() {
        return closeStatus.get();
    }

    /** Whether the connection has ended (the server closed it, or {@link #close()} was called). */
    public boolean isClosed() {
        return closeStatus.get() != null;
    }

    /** Ends the connection at once (during the handshake too), as a client that goes away does. */
    @Override
    public void close() {
        outgoing.tryEmitComplete();
        connection.dispose();
        ended("closed by the client");
    }

    /** A close code and reason: what the server sent, or {@link #ABNORMAL} for a connection that simply ended. */
    public record CloseStatus(int code, String reason) {

        /** RFC 6455's code for a connection that ended without a close frame (it is never sent). */
        public static final int ABNORMAL = 1006;

        /** {@code "code reason"}, e.g. {@code "1008 token expired"}. */
        @Override
        public String toString() {
            return code + " " + reason;
        }
    }

    /** Handshake headers, subprotocol and the reading mode of a connection about to be made. */
    public static final class Options {

        private final Map<String, String> headers = new LinkedHashMap<>();
        private String subprotocol;
        private boolean paused;

        private Options() {}

        /** A handshake header, e.g. {@code Authorization} or {@code Origin}. */
        public Options header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** The subprotocol asked for ({@code Sec-WebSocket-Protocol}). */
        public Options subprotocol(String subprotocol) {
            this.subprotocol = subprotocol;
            return this;
        }

        /** Starts without reading, until {@link WsTestClient#resume()}. */
        public Options paused() {
            this.paused = true;
            return this;
        }

        /** Connects, waiting for the handshake; throws if the server refuses it or does not answer within 10 s. */
        public WsTestClient connect(URI uri) {
            return new WsTestClient(uri, this).awaitOpen();
        }

        /**
         * Starts connecting and returns at once: {@link WsTestClient#close()} may then abort the attempt at any
         * stage, during the handshake or after it.
         */
        public WsTestClient startConnecting(URI uri) {
            return new WsTestClient(uri, this);
        }
    }

    /**
     * Asks for one frame at a time, none while paused. {@code owed} is true while nothing is asked for (a frame was
     * taken and the next not requested yet); whoever turns it false requests one frame, so pause/resume from the
     * test's thread and frames from Netty's never ask twice or forget to ask.
     */
    private final class Reader {

        private final AtomicBoolean owed = new AtomicBoolean(true);
        private volatile boolean paused;
        private volatile BaseSubscriber<String> subscriber;

        Reader(boolean paused) {
            this.paused = paused;
        }

        /** A subscriber to the frames that completes {@code done} when they end. */
        BaseSubscriber<String> until(MonoSink<Void> done) {
            return new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription subscription) {
                    subscriber = this; // only now may resume() request through it
                    askIfOwed();
                }

                @Override
                protected void hookOnNext(String frame) {
                    received(frame);
                    owed.set(true);
                    askIfOwed();
                }

                @Override
                protected void hookFinally(SignalType type) {
                    done.success();
                }
            };
        }

        void pause() {
            paused = true;
        }

        void resume() {
            paused = false;
            askIfOwed();
        }

        private void askIfOwed() {
            BaseSubscriber<String> current = subscriber;
            if (!paused && current != null && owed.compareAndSet(true, false)) {
                current.request(1);
            }
        }
    }
}
