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

    private final TokenVerifier verifier;
    private final int maxConnections;
    private final AtomicInteger admitted = new AtomicInteger();
    private final Set<WebSocketSession> sessions = ConcurrentHashMap.newKeySet();
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
            return Mono.error(new SessionRefusedException(CloseStatus.SERVICE_OVERLOAD.withReason(
                    "too many connections on this instance (at most " + maxConnections + "); retry shortly")));
        }
        sessions.add(session);
        HandshakeInfo handshake = session.getHandshakeInfo();
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                sessions.remove(session);
                admitted.decrementAndGet();
            }
        };
        return verifier.verify(handshake.getHeaders(), handshake.getUri())
                .map(token -> new Admission(session, token, release))
                .onErrorMap(InvalidTokenException.class,
                        e -> new SessionRefusedException(CloseCodes.policyViolation(e.getMessage())))
                .doOnError(e -> release.run())
                .doOnCancel(release);
    }

    /** Open admitted sessions. */
    int openSessions() {
        return admitted.get();
    }

    /** A session that passed the gate: what its token allows, until when. */
    static final class Admission {

        private final WebSocketSession session;
        private final VerifiedToken token;
        private final Runnable release;

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
            for (String channel : channels) {
                if (!token.grants().canSubscribe(channel)) {
                    return "token does not allow subscribing to channel '" + channel + "'";
                }
            }
            return null;
        }

        /**
         * Runs the session's pipeline, ending it with close 1008 "token expired" when its token expires, and frees
         * its place under the cap when it ends.
         */
        Mono<Void> guard(Mono<Void> served) {
            if (token.closeAt() == null) {
                return served.doFinally(signal -> release.run());
            }
            long millis = Math.max(0, token.closeAt().toEpochMilli() - Instant.now().toEpochMilli());
            // Closed from the side, like a shutdown: the pipeline then ends as the client answers the close.
            Disposable expiry = Mono.delay(Duration.ofMillis(millis))
                    .flatMap(tick -> session.close(CloseCodes.policyViolation("token expired")))
                    .subscribe(done -> { }, error -> log.debug("closing an expired session failed: {}", error.toString()));
            return served.doFinally(signal -> {
                expiry.dispose();
                release.run();
            });
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
        closeAll().doFinally(signal -> {
            running = false;
            callback.run();
        }).subscribe();
    }

    /** Closes every open session with 1001 and waits (bounded) until their pipelines ended. */
    private Mono<Void> closeAll() {
        stopping = true;
        List<WebSocketSession> open = List.copyOf(sessions);
        if (!open.isEmpty()) {
            log.info("closing {} WebSocket sessions with 1001 (going away)", open.size());
        }
        return Flux.fromIterable(open)
                .flatMap(session -> session.close(CloseCodes.GOING_AWAY).onErrorResume(e -> Mono.empty()))
                .then(Flux.interval(Duration.ofMillis(50)).takeUntil(tick -> sessions.isEmpty()).then())
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
