package io.fanout.client;

import io.fanout.client.StateChange.State;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One subscription: connects to an instance, turns its frames into {@link Event}s on the sink, and after any
 * disconnect reconnects (same or next URL, jittered back-off) with the {@link ResumePosition} of the last event
 * handed out. It ends only when the subscriber cancels, on a refusal (1008, 1009, HTTP 4xx) or on a {@link Gap}
 * nobody handles.
 *
 * <p>Threading: the JDK WebSocket calls one connection's listener one call at a time; a new connection is only
 * made after the previous one ended (or from a scheduled retry), so frames, the position and the sink are used by
 * one thread at a time; the {@code lock} guards the fields that {@link #dispose()} (any thread) also touches.
 *
 * <p>Backpressure: one WebSocket message is requested at a time, and the next only while the subscriber has
 * demand; otherwise the connection is parked in {@code paused} and {@code onRequest} requests it. Unread frames
 * then wait in TCP buffers, and a server that finds the client too slow closes with 4000, which resumes.
 */
final class Subscription {

    /** Close codes after which reconnecting cannot help. */
    private static final Set<Integer> REFUSED = Set.of(1008, 1009);
    /** Close codes that say "not this instance, not now": the next attempt goes to the next URL. */
    private static final Set<Integer> MOVE_ON = Set.of(1001, 1013, 1006);
    /** The close code after a {@code cursor-ahead} frame: the cursor's event has not reached that region yet. */
    static final int CURSOR_AHEAD = 4001;

    private static final Duration HEALTHY_AFTER = Duration.ofSeconds(10);

    private final HttpClient http;
    private final JsonMapper json;
    private final List<URI> urls;
    private final String token;
    private final Backoff backoff;
    private final Duration connectTimeout;
    private final Duration pingInterval;
    private final int cursorAheadRetries;
    private final Backoff cursorAheadBackoff;
    private final AtomicLong duplicates;
    private final List<String> channels;
    private final SubscribeOptions options;
    private final FluxSink<Event> sink;
    private final ResumePosition position;
    private final AtomicReference<WebSocket> paused = new AtomicReference<>();

    private final Object lock = new Object();
    private WebSocket socket; // guarded by lock
    private Disposable pendingRetry; // guarded by lock
    private boolean ended; // guarded by lock

    private int urlIndex;
    private int failures;
    private int aheadCloses; // consecutive 4001 closes on the current URL
    private String resumedFrom;

    /** What every subscription of one client shares. */
    record Settings(
            List<URI> urls,
            String token,
            Backoff backoff,
            Duration connectTimeout,
            Duration pingInterval,
            int cursorAheadRetries,
            Backoff cursorAheadBackoff,
            AtomicLong duplicates) {}

    Subscription(
            HttpClient http,
            JsonMapper json,
            Settings settings,
            List<String> channels,
            SubscribeOptions options,
            FluxSink<Event> sink) {
        this.http = http;
        this.json = json;
        this.urls = settings.urls();
        this.token = settings.token();
        this.backoff = settings.backoff();
        this.connectTimeout = settings.connectTimeout();
        this.pingInterval = settings.pingInterval();
        this.cursorAheadRetries = settings.cursorAheadRetries();
        this.cursorAheadBackoff = settings.cursorAheadBackoff();
        this.duplicates = settings.duplicates();
        this.channels = channels;
        this.options = options;
        this.sink = sink;
        this.position = new ResumePosition(
                channels,
                options.cursor() == null ? Map.of() : Map.of(options.cursor(), options.cursorValue()),
                options.seq());
    }

    void start() {
        sink.onRequest(n -> {
            WebSocket parked = paused.getAndSet(null);
            if (parked != null) {
                parked.request(1);
            }
        });
        sink.onDispose(this::dispose);
        connect();
    }

    private void connect() {
        URI base = urls.get(urlIndex);
        Map<String, String> query = position.query();
        if (query.containsKey("cursor")) {
            position.resumedByCursor();
        }
        URI uri = EventsUri.of(base, channels, query, position.seqValues());
        state(new StateChange(State.CONNECTING, base, failures, null, null, null, null));
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        Connection connection = new Connection(base);
        builder.buildAsync(uri, connection).whenComplete((ws, error) -> {
            if (error != null) {
                connection.failed(
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            }
        });
    }

    private void dispose() {
        WebSocket open;
        synchronized (lock) {
            ended = true;
            open = socket;
            socket = null;
            if (pendingRetry != null) {
                pendingRetry.dispose();
            }
        }
        if (open != null) {
            open.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((ws, error) -> open.abort());
        }
    }

    private void fail(Throwable error) {
        dispose();
        sink.error(error);
    }

    /** Tells the state callback; one that throws ends the subscription with its exception. */
    private void state(StateChange change) {
        if (options.stateHandler() != null) {
            try {
                options.stateHandler().accept(change);
            } catch (RuntimeException callbackFailed) {
                fail(callbackFailed);
            }
        }
    }

    /** One WebSocket connection's listener; the JDK calls it one call at a time. */
    private final class Connection implements WebSocket.Listener {

        private final URI base;
        private final StringBuilder text = new StringBuilder();
        private final AtomicBoolean over = new AtomicBoolean();
        private volatile long lastHeard;
        private volatile Disposable heartbeat;
        private long connectedAt = -1;
        private boolean handedOut;

        Connection(URI base) {
            this.base = base;
        }

        @Override
        public void onOpen(WebSocket ws) {
            synchronized (lock) {
                if (ended) {
                    ws.abort();
                    return;
                }
                socket = ws;
            }
            connectedAt = System.nanoTime();
            lastHeard = connectedAt;
            position.connected(System.currentTimeMillis());
            state(new StateChange(State.CONNECTED, base, failures, null, null, null, resumedFrom));
            if (!pingInterval.isZero()) {
                heartbeat = Schedulers.parallel()
                        .schedulePeriodically(
                                () -> ping(ws),
                                pingInterval.toMillis(),
                                pingInterval.toMillis(),
                                TimeUnit.MILLISECONDS);
            }
            ws.request(1);
        }

        /**
         * Pings the server each interval; a connection that answered nothing (no frame, no pong) for two intervals
         * is dead (a half-open TCP connection never reports itself) and is dropped, which resumes elsewhere. Not
         * while this client itself has stopped reading for its subscriber.
         */
        private void ping(WebSocket ws) {
            synchronized (lock) {
                if (ended) {
                    Disposable beat = heartbeat;
                    if (beat != null) {
                        beat.dispose();
                    }
                    return;
                }
            }
            long now = System.nanoTime();
            if (paused.get() == ws) {
                lastHeard = now;
            } else if (now - lastHeard > 2 * pingInterval.toNanos()) {
                ws.abort();
                ended(
                        1006,
                        "no answer to pings for " + pingInterval.multipliedBy(2).toMillis() + " ms");
            } else {
                ws.sendPing(ByteBuffer.allocate(0));
            }
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            lastHeard = System.nanoTime();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            lastHeard = System.nanoTime();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            lastHeard = System.nanoTime();
            text.append(data);
            if (!last) {
                ws.request(1);
                return null;
            }
            String frame = text.toString();
            text.setLength(0);
            if (handle(frame)) {
                requestNextIfWanted(ws);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            ended(code, reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            ended(1006, String.valueOf(error));
        }

        void failed(Throwable error) {
            if (error instanceof WebSocketHandshakeException refused) {
                int status = refused.getResponse().statusCode();
                if (status >= 400 && status < 500 && status != 408 && status != 429) {
                    over.set(true);
                    state(new StateChange(State.CLOSED, base, failures, status, "HTTP " + status, null, null));
                    fail(new SubscriptionRefusedException(status, "HTTP " + status, base));
                    return;
                }
            }
            ended(1006, String.valueOf(error));
        }

        /** Handles one complete frame; false when the subscription ended on it. */
        private boolean handle(String frame) {
            JsonNode node;
            try {
                node = json.readTree(frame);
            } catch (JacksonException notJson) {
                return true;
            }
            if (!node.isObject()) {
                return true;
            }
            JsonNode type = node.get("type");
            if (type == null) {
                Event event = new Event(
                        node.path("channel").asString(),
                        node.path("partition").asInt(),
                        node.path("offset").asLong(),
                        node.path("timestamp").asLong(),
                        node.path("id").asString(),
                        node.get("message"),
                        textOrNull(node.get("origin")),
                        textOrNull(node.get("cursor")),
                        node.path("seq").canConvertToLong() ? node.path("seq").asLong() : -1);
                long missed = position.missedBefore(event);
                if (!position.accept(event)) {
                    duplicates.incrementAndGet();
                    return true;
                }
                handedOut = true;
                aheadCloses = 0;
                if (missed > 0 && !gap(Gap.missing(event, missed))) {
                    return false;
                }
                sink.next(event);
                return true;
            }
            switch (type.asString()) {
                case "truncated" -> {
                    Gap gap = new Gap(
                            node.path("partition").asInt(),
                            node.path("requested").asLong(-1),
                            node.path("earliest").asLong(),
                            node.path("since").asLong(-1),
                            textOrNull(node.get("origin")),
                            textOrNull(node.get("channel")),
                            node.path("lost").asLong(-1),
                            node.path("firstSeq").asLong(-1),
                            false);
                    if (gap.requested() >= 0) {
                        position.skipTo(gap.partition(), gap.earliest());
                    }
                    position.explain(gap);
                    if (!gap(gap)) {
                        return false;
                    }
                }
                case "subscribed" -> {
                    JsonNode at = node.get("position");
                    if (at != null && at.isString()) {
                        position.seed(at.asString());
                    }
                    JsonNode streamCursor = node.get("cursor");
                    if (streamCursor != null && streamCursor.isString()) {
                        position.seedCursor(streamCursor.asString());
                    }
                }
                case "cursor-ahead" ->
                    state(new StateChange(
                            State.CURSOR_AHEAD,
                            base,
                            failures,
                            CURSOR_AHEAD,
                            node.path("detail").asString(""),
                            null,
                            null));
                case "catching-up" -> state(new StateChange(State.CATCHING_UP, base, failures, null, null, null, null));
                case "live" -> state(new StateChange(State.LIVE, base, failures, null, null, null, null));
                default -> {
                    // ack and error frames answer publishes sent on the socket; this client sends none
                }
            }
            return true;
        }

        /** Hands {@code gap} to the gap handler, or ends the subscription with it; false when it ended. */
        private boolean gap(Gap gap) {
            if (options.gapHandler() == null) {
                over.set(true);
                fail(new GapException(gap, ResumePosition.format(position.positions())));
                return false;
            }
            try {
                options.gapHandler().accept(gap);
            } catch (RuntimeException callbackFailed) {
                over.set(true);
                fail(callbackFailed);
                return false;
            }
            return true;
        }

        private static String textOrNull(JsonNode node) {
            return node != null && node.isString() ? node.asString() : null;
        }

        private void requestNextIfWanted(WebSocket ws) {
            if (sink.requestedFromDownstream() > 0) {
                ws.request(1);
                return;
            }
            paused.set(ws);
            if (sink.requestedFromDownstream() > 0 && paused.compareAndSet(ws, null)) {
                ws.request(1);
            }
        }

        private void ended(int code, String reason) {
            if (!over.compareAndSet(false, true)) {
                return;
            }
            if (heartbeat != null) {
                heartbeat.dispose();
            }
            synchronized (lock) {
                socket = null;
                if (ended) {
                    return;
                }
            }
            paused.set(null);
            if (REFUSED.contains(code)) {
                state(new StateChange(State.CLOSED, base, failures, code, reason, null, null));
                fail(new SubscriptionRefusedException(code, reason, base));
                return;
            }
            boolean connected = connectedAt >= 0;
            boolean healthy = handedOut || (connected && System.nanoTime() - connectedAt >= HEALTHY_AFTER.toNanos());
            failures = healthy ? 1 : failures + 1;
            Duration delay;
            if (code == CURSOR_AHEAD) {
                // the cursor's event has not reached that region yet: wait for it there a few times, then move on
                aheadCloses++;
                if (aheadCloses > cursorAheadRetries && urls.size() > 1) {
                    aheadCloses = 0;
                    urlIndex = (urlIndex + 1) % urls.size();
                }
                delay = cursorAheadBackoff.delay(Math.max(aheadCloses, 1));
            } else {
                aheadCloses = 0;
                if (!connected || MOVE_ON.contains(code)) {
                    urlIndex = (urlIndex + 1) % urls.size();
                }
                delay = backoff.delay(failures);
            }
            state(new StateChange(State.DISCONNECTED, base, failures, code, reason, delay, null));
            resumedFrom = EventsUri.describe(position.query(), position.seqValues());
            synchronized (lock) {
                if (!ended) {
                    pendingRetry = Schedulers.parallel()
                            .schedule(Subscription.this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
    }
}
