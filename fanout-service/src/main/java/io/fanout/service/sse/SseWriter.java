package io.fanout.service.sse;

import io.fanout.service.netty.ServerChannels;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.LiveFrame;
import io.fanout.service.subscribe.SessionEnd.Reason;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Writes one SSE stream's frames straight to its Netty channel, on the channel's event loop, as {@code SocketWriter}
 * does for a WebSocket: it is the drain of the stream's {@link Subscription}, takes frames with
 * {@link Subscription#poll()}, appends each with its {@code id} (the position right after it, as {@link EventIds}
 * writes it: the subscription's kept cursor text, not encoded per event) by {@link SseEncoder} (a live frame: its
 * {@code id} and the event's already encoded JSON bytes) to the event loop's scratch buffer, and writes that as HTTP
 * chunks of about {@link #CHUNK_BYTES} (or one event, when larger) with one flush: per wake, not per event, one pass
 * through the HTTP encoder. Writes stop while the channel is not writable; the subscription then buffers a bounded
 * number of live frames and beyond that catches up from the log, and writing resumes when the channel drains
 * ({@link ServerChannels#ON_WRITABLE}).
 *
 * <p>The response headers and the stream's first comment, its heartbeats and its final {@code error} event are
 * written by WebFlux (the controller's {@code Flux}); this writer writes nothing before the headers went out, and
 * nothing once {@link #close()}d (before that final event, or once the stream is cancelled). Nothing of a session runs
 * on the live consumer's thread: it only wakes the writer.
 */
final class SseWriter implements Runnable {

    /** Events written at one wake go out together, as HTTP chunks of about this size. */
    static final int CHUNK_BYTES = 16 * 1024;

    private static final int MAX_SCRATCH_BYTES = 4 * CHUNK_BYTES;

    /** The final {@code error} event's detail when writing failed. */
    static final String FAILED = "server error writing events; resume from your last id";

    private static final Logger log = LoggerFactory.getLogger(SseWriter.class);

    /**
     * Where an event loop encodes a chunk before it is copied out: a heap buffer, so each event's few small writes are
     * plain array copies (into a pooled direct buffer each write went through a {@code ByteBuffer} view: most of the
     * SSE writer's CPU). One per event loop thread, reused from wake to wake.
     */
    private static final FastThreadLocal<ByteBuf> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return Unpooled.buffer(2 * CHUNK_BYTES);
        }

        @Override
        protected void onRemoval(ByteBuf scratch) {
            scratch.release();
        }
    };

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

    /**
     * Writes what is waiting while the channel takes it, then flushes once; runs on the channel's event loop. Throws
     * nothing: a failure is logged with its stack trace, what was written before it is flushed, and the stream ends
     * with its {@code error} event, so that its client resumes from its last {@code id}.
     */
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
        boolean wrote;
        try {
            wrote = writeWaiting();
        } catch (RuntimeException e) {
            log.warn("writing an SSE stream's events failed; ending it", e);
            subscription.fail(Reason.INTERNAL_ERROR, FAILED);
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    /** Writes the waiting frames as HTTP chunks while the channel takes them; whether it wrote anything. */
    private boolean writeWaiting() {
        boolean wrote = false;
        ByteBuf chunk = SCRATCH.get().clear(); // nothing of a wake that ended in an error goes to another stream
        while (!closed && channel.isWritable()) {
            Frame frame = subscription.poll();
            if (frame == null) {
                break;
            }
            String id = EventIds.of(subscription); // shared text, joined only when a partition changed
            try {
                encoder.append(frame, id, chunk);
            } finally {
                if (frame instanceof LiveFrame live) {
                    live.release();
                }
            }
            if (chunk.readableBytes() >= CHUNK_BYTES) {
                chunk = writeOut(chunk); // the channel's writability counts it from here
                wrote = true;
            }
        }
        if (chunk.isReadable()) {
            writeOut(chunk);
            wrote = true;
        }
        subscription.setClientBlocked(!channel.isWritable());
        return wrote;
    }

    /**
     * Writes what {@code chunk} holds as one HTTP chunk, in one copy to a pooled direct buffer; returns the scratch
     * buffer to go on with, empty (a new one when {@code chunk} had grown past {@link #MAX_SCRATCH_BYTES} for an event
     * far larger than the rest: its room is not kept).
     */
    private ByteBuf writeOut(ByteBuf chunk) {
        ByteBuf out = channel.alloc().directBuffer(chunk.readableBytes());
        out.writeBytes(chunk);
        channel.write(out, channel.voidPromise());
        if (chunk.capacity() > MAX_SCRATCH_BYTES) {
            SCRATCH.remove(); // releases it
            return SCRATCH.get();
        }
        return chunk.clear();
    }
}
