package io.fanout.tools.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Duration;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.LoopResources;

/**
 * Opens WebSocket connections to fanout-service's {@code /events} on Reactor Netty, cheaply enough for bench's
 * tens of thousands: connections are not pooled, text frames are taken off the Netty pipeline before Reactor's
 * bridge (no {@code Flux} element per frame), and after {@code perSourceIp} connections the next ones bind to the
 * next source address 127.0.0.x, so more connections than one address has ephemeral ports can be opened. Used by
 * bench's subscribers and the fault client's followers. Thread-safe; every {@link Listener} callback of one
 * connection runs on that connection's event-loop thread.
 */
public final class WsConnector {

    /** What one connection reports, on its event-loop thread. */
    public interface Listener {

        /** The handshake completed. */
        default void opened() {}

        /**
         * One whole text frame (fragments aggregated, up to 1 MiB). {@code bytes} is a per-thread scratch array,
         * valid only during the call; its first {@code length} bytes are the frame.
         */
        void text(byte[] bytes, int length);

        /** The close frame the server sent. */
        default void closeStatus(int code, String reason) {}

        /**
         * The connection is over, or never came up: {@code error} says why it failed, or is null when it just
         * ended. May be called more than once for one connection.
         */
        default void ended(String error) {}

        /** The handshake did not complete in time; the attempt is being abandoned. */
        default void handshakeTimedOut() {
            ended("handshake timeout");
        }
    }

    /** One attempt: {@code up} completes with true once the handshake is done, false if it failed or timed out. */
    public record Attempt(Mono<Boolean> up, Disposable connection) {

        /**
         * Starts {@code connection}, whose handler emits true to {@code up} once it is open; reports its end or failure
         * to {@code listener} and abandons it when {@code up} has no value within {@code timeout}.
         */
        static Attempt watch(Mono<Void> connection, Sinks.One<Boolean> up, Listener listener, Duration timeout) {
            Disposable running = connection.subscribe(
                    v -> {},
                    err -> {
                        listener.ended(err.getClass().getSimpleName() + ": " + err.getMessage());
                        up.tryEmitValue(false);
                    },
                    () -> {
                        listener.ended(null);
                        up.tryEmitValue(false);
                    });
            Mono<Boolean> handshake = up.asMono().timeout(timeout, Mono.fromSupplier(() -> {
                listener.handshakeTimedOut();
                running.dispose();
                return false;
            }));
            return new Attempt(handshake, running);
        }
    }

    private static final WebsocketClientSpec SPEC = WebsocketClientSpec.builder()
            .maxFramePayloadLength(1 << 20)
            .handlePing(false)
            .build();

    private final String base;
    private final SourceAddressClients clients;

    /** @param fanoutUrl e.g. {@code ws://127.0.0.1:8081} */
    public WsConnector(LoopResources loops, String fanoutUrl, int perSourceIp) {
        this.base = SourceAddressClients.trimmed(fanoutUrl);
        this.clients = new SourceAddressClients(
                loops, base, perSourceIp, client -> client.responseTimeout(Duration.ofSeconds(30)));
    }

    /**
     * Connects {@code listener} to {@code /events?query}. A handshake not done within {@code timeout} is abandoned
     * (the listener hears {@link Listener#handshakeTimedOut()} first).
     */
    public Attempt connect(String query, Listener listener, Duration timeout) {
        Sinks.One<Boolean> up = Sinks.one();
        Mono<Void> connection = clients.next()
                .websocket(SPEC)
                .uri(base + "/events?" + query)
                .handle((in, out) -> {
                    // the aggregator first, so that the handler sees whole (possibly fragmented) frames
                    in.aggregateFrames(1 << 20);
                    in.withConnection(c -> c.addHandlerLast("text-frames", new TextFrames(listener)));
                    listener.opened();
                    up.tryEmitValue(true);
                    in.receiveCloseStatus().subscribe(s -> listener.closeStatus(s.code(), s.reasonText()));
                    // Frames decoded before the handler above was in place (e.g. history sent right behind
                    // the handshake response) arrive here instead; everything after goes to the handler.
                    return in.receiveFrames()
                            .doOnNext(f -> {
                                if (f instanceof TextWebSocketFrame) {
                                    TextFrames.consume(listener, f.content());
                                }
                            })
                            .then();
                })
                .then();
        return Attempt.watch(connection, up, listener, timeout);
    }

    /** Takes text frames off the pipeline before Reactor's reactive bridge: no Flux element per frame. */
    private static final class TextFrames extends ChannelInboundHandlerAdapter {
        private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[4096]);
        private final Listener listener;

        TextFrames(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TextWebSocketFrame f) {
                try {
                    consume(listener, f.content());
                } finally {
                    f.release();
                }
                return;
            }
            ctx.fireChannelRead(msg);
        }

        /** Hands the frame's bytes to the listener (copied into a per-thread scratch array). */
        static void consume(Listener listener, ByteBuf b) {
            int n = b.readableBytes();
            byte[] a = SCRATCH.get();
            if (a.length < n) {
                a = new byte[Math.max(n, a.length * 2)];
                SCRATCH.set(a);
            }
            b.getBytes(b.readerIndex(), a, 0, n);
            listener.text(a, n);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            listener.ended(null);
            ctx.fireChannelInactive();
        }
    }
}
