package io.fanout.service.ws;

import io.fanout.common.security.ChannelGrants;
import io.fanout.common.security.InvalidTokenException;
import io.fanout.common.security.TokenVerifier;
import io.fanout.common.security.VerifiedToken;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * What a WebSocket session must pass before it is served, and the registry of the sessions that did.
 * <ul>
 *   <li>the connection cap ({@code fanout.subscribe.max-connections}): one more is refused with 1013;</li>
 *   <li>the token (when {@code fanout.auth.enabled}): missing or invalid is refused with 1008 and the reason, and an
 *       admitted session is closed with 1008 "token expired" once its token expires;</li>
 *   <li>shutdown: on stop every open session is closed with 1001 (going away) before the web server's graceful
 *       shutdown waits for connections, and new ones are refused with 1001.</li>
 * </ul>
 * Thread-safe; {@link #admit} is called on event-loop threads and never blocks.
 */
@Component
class SessionGate implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SessionGate.class);
    private static final Duration SHUTDOWN_CLOSE_WAIT = Duration.ofSeconds(5);
    private static final Duration CLOSE_WRITE_WAIT = Duration.ofSeconds(2);

    private final TokenVerifier verifier;
    private final int maxConnections;
    private final AtomicInteger admitted = new AtomicInteger();
    private final Set<Admission> admissions = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile boolean stopping;

    SessionGate(TokenVerifier verifier, ConnectionProperties properties) {
        this.verifier = verifier;
        this.maxConnections = properties.maxConnections();
    }

    /**
     * Admits {@code session} or errors with {@link SessionRefusedException}. An admitted session counts against the
     * cap until {@link Admission#guard}'s pipeline ends.
     */
    Mono<Admission> admit(WebSocketSession session) {
        if (stopping) {
            return Mono.error(new SessionRefusedException(CloseCodes.GOING_AWAY));
        }
        if (admitted.incrementAndGet() > maxConnections) {
            admitted.decrementAndGet();
            return Mono.error(new SessionRefusedException(CloseCodes.overloaded(
                    "too many connections on this instance (at most " + maxConnections + "); retry shortly")));
        }
        HandshakeInfo handshake = session.getHandshakeInfo();
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                admitted.decrementAndGet();
            }
        };
        return verifier.verify(handshake.getHeaders(), handshake.getUri())
                .map(token -> {
                    Admission admission = new Admission(session, token, release);
                    admissions.add(admission);
                    if (stopping) {
                        admission.closeFromTheSide(CloseCodes.GOING_AWAY);
                    }
                    return admission;
                })
                .onErrorMap(
                        InvalidTokenException.class,
                        e -> new SessionRefusedException(CloseCodes.of(e.closeCode(), e.getMessage())))
                .doOnError(e -> release.run())
                .doOnCancel(release);
    }

    /** Open admitted sessions. */
    int openSessions() {
        return admitted.get();
    }

    /** A session that passed the gate: what its token allows, until when. */
    final class Admission {

        private final WebSocketSession session;
        private final VerifiedToken token;
        private final Runnable release;
        private final AtomicBoolean closeStarted = new AtomicBoolean();
        private final Sinks.Empty<Void> closing = Sinks.empty();

        private Admission(WebSocketSession session, VerifiedToken token, Runnable release) {
            this.session = session;
            this.token = token;
            this.release = release;
        }

        ChannelGrants grants() {
            return token.grants();
        }

        /** Why the token may not subscribe to one of {@code channels}, or {@code null} when it may to all. */
        String refusedSubscription(List<String> channels) {
            return token.grants().refusedSubscription(channels);
        }

        /**
         * Runs the session's pipeline, ending it with close 1008 "token expired" when its token expires, and frees
         * its place under the cap when it ends.
         */
        Mono<Void> guard(Mono<Void> served) {
            Disposable expiry = token.closeAt() == null
                    ? null
                    : Mono.delay(Duration.ofMillis(Math.max(
                                    0,
                                    token.closeAt().toEpochMilli()
                                            - Instant.now().toEpochMilli())))
                            .subscribe(tick -> closeFromTheSide(CloseCodes.policyViolation("token expired")));
            // Closing ends the inbound at once, and with it the pipeline; waiting for the close frame's write
            // before the handler completes keeps the connection from being torn down before the frame is out.
            return served.then(Mono.defer(() -> closing.asMono().timeout(CLOSE_WRITE_WAIT, Mono.empty())))
                    .doFinally(signal -> {
                        if (expiry != null) {
                            expiry.dispose();
                        }
                        admissions.remove(this);
                        release.run();
                    });
        }

        /** Closes the session with {@code status} from outside its pipeline (expiry, shutdown); idempotent. */
        Mono<Void> closeFromTheSide(CloseStatus status) {
            if (closeStarted.compareAndSet(false, true)) {
                session.close(status)
                        .doFinally(signal -> closing.tryEmitEmpty())
                        .subscribe(done -> {}, error -> log.debug("closing a session failed: {}", error.toString()));
            }
            return closing.asMono();
        }
    }

    @Override
    public void start() {
        stopping = false;
        running = true;
    }

    @Override
    public void stop() {
        closeAll().block(SHUTDOWN_CLOSE_WAIT.plusSeconds(1));
        running = false;
    }

    @Override
    public void stop(Runnable callback) {
        closeAll()
                .doFinally(signal -> {
                    running = false;
                    callback.run();
                })
                .subscribe();
    }

    /** Closes every open session with 1001 and waits (bounded) until their pipelines ended. */
    private Mono<Void> closeAll() {
        stopping = true;
        List<Admission> open = List.copyOf(admissions);
        if (!open.isEmpty()) {
            log.info("closing {} WebSocket sessions with 1001 (going away)", open.size());
        }
        return Flux.fromIterable(open)
                .flatMap(admission -> admission.closeFromTheSide(CloseCodes.GOING_AWAY))
                .then(Flux.interval(Duration.ofMillis(50))
                        .takeUntil(tick -> admissions.isEmpty())
                        .then())
                .timeout(SHUTDOWN_CLOSE_WAIT, Mono.empty());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server's graceful shutdown, which would otherwise wait for the sockets to end. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
