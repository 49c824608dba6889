package io.fanout.service.sse;

import io.fanout.service.netty.ServerChannels;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.LiveFrame;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Writes one SSE stream's frames straight to its Netty channel, on the channel's event loop, as {@code SocketWriter}
 * does for a WebSocket: it is the drain of the stream's {@link Subscription}, takes frames with
 * {@link Subscription#poll()}, encodes each with its {@code id} (the position right after it, {@link EventIds}) by
 * {@link SseEncoder} (a live frame: a small {@code id:} part of its own and the event's shared JSON bytes), and writes
 * everything waiting with one flush. Each write becomes one HTTP chunk of the response. Writes stop while the channel
 * is not writable; the subscription then buffers a bounded number of live frames and beyond that catches up from the
 * log, and writing resumes when the channel drains ({@link ServerChannels#ON_WRITABLE}).
 *
 * <p>The response headers and the stream's first comment, its heartbeats and its final {@code error} event are
 * written by WebFlux (the controller's {@code Flux}); this writer writes nothing before the headers went out, and
 * nothing once {@link #close()}d (before that final event, or once the stream is cancelled). Nothing of a session runs
 * on the live consumer's thread: it only wakes the writer.
 */
final class SseWriter implements Runnable {

    private final Channel channel;
    private final HttpServerResponse response;
    private final Subscription subscription;
    private final SseEncoder encoder;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean closed;

    SseWriter(Channel channel, HttpServerResponse response, Subscription subscription, SseEncoder encoder) {
        this.channel = channel;
        this.response = response;
        this.subscription = subscription;
        this.encoder = encoder;
    }

    /** Starts the subscription with this writer as its drain, and writing when the channel drains. */
    void start(SubscribeRequest request) {
        channel.attr(ServerChannels.ON_WRITABLE).set(this::wake);
        subscription.drainWith(this::wake, request);
    }

    /** Writes nothing more; any thread. A write under way on the event loop stops before its next frame. */
    void close() {
        closed = true;
    }

    /** Has the event loop write what is waiting; at most one write task is pending at a time. */
    void wake() {
        if (!closed && scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this);
        }
    }

    /** Writes what is waiting while the channel takes it, then flushes once; runs on the channel's event loop. */
    @Override
    public void run() {
        scheduled.set(false);
        if (closed || !channel.isActive()) {
            return;
        }
        if (!response.hasSentHeaders()) {
            channel.eventLoop().schedule(this::wake, 1, TimeUnit.MILLISECONDS); // WebFlux writes them first
            return;
        }
        boolean wrote = false;
        while (!closed && channel.isWritable()) {
            Frame frame = subscription.poll();
            if (frame == null) {
                break;
            }
            ByteBuf bytes;
            try {
                bytes = encoder.encode(frame, EventIds.of(subscription.position()), channel.alloc());
            } finally {
                if (frame instanceof LiveFrame live) {
                    live.release();
                }
            }
            if (bytes != null) {
                channel.write(bytes, channel.voidPromise());
                wrote = true;
            }
        }
        subscription.setClientBlocked(!channel.isWritable());
        if (wrote) {
            channel.flush();
        }
    }
}
