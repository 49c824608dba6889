package io.fanout.service.ws;

import io.fanout.service.netty.ServerChannels;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.LiveFrame;
import io.fanout.service.subscribe.SessionEnd.Reason;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Writes one WebSocket session's frames and replies straight to its Netty channel, on the channel's event loop: it is
 * the drain of the session's {@link Subscription}, so it takes frames with {@link Subscription#poll()} (each live
 * frame a duplicate of the event's shared, already encoded bytes; frames from the log and control frames encoded here,
 * back to back into buffers of {@link #BATCH_BYTES}), and writes everything waiting with one flush.
 * Writes stop while the channel is not writable (the client reads slower than events arrive); the subscription then
 * buffers a bounded number of live frames and beyond that catches up from the log, and writing resumes when the
 * channel drains ({@link ServerChannels#ON_WRITABLE}).
 *
 * <p>Replies (acks, errors) wait in a queue of at most {@link #MAX_REPLIES}; {@link #reply} completes only when its
 * reply is queued, so a client that publishes without reading stops being read (and is then cut off by
 * {@link StuckWriteGuard}) instead of filling the server's memory.
 */
final class SocketWriter implements Runnable {

    static final int MAX_REPLIES = 64;
    /**
     * Frames from the log and control frames are encoded back to back into buffers of this many bytes, each written as
     * a slice of one: a catching-up session sends hundreds of them per wake.
     */
    static final int BATCH_BYTES = 16 * 1024;

    /** The close reason when writing failed (1011). */
    static final String FAILED = "server error writing events; resume from your last cursor";

    private static final Logger log = LoggerFactory.getLogger(SocketWriter.class);

    private final Channel channel;
    private final Subscription subscription;
    private final Queue<String> replies = new ConcurrentLinkedQueue<>();
    private final AtomicInteger replyCount = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean started;
    /** A reply waiting for room, with who waits for it; at most one, the receive side publishes one at a time. */
    private volatile String waitingReply;

    private volatile MonoSink<Void> waitingSink;

    SocketWriter(Channel channel, Subscription subscription) {
        this.channel = channel;
        this.subscription = subscription;
        channel.attr(ServerChannels.ON_WRITABLE).set(this);
    }

    /** Starts the subscription with this writer as its drain. */
    void start(SubscribeRequest request) {
        started = true;
        subscription.drainWith(this::wake, request);
    }

    /** Queues a text frame to send back to the client; completes once it is queued (there is room). */
    Mono<Void> reply(String text) {
        return Mono.create(sink -> {
            if (replyCount.incrementAndGet() <= MAX_REPLIES) {
                replies.offer(text);
                wake();
                sink.success();
            } else {
                replyCount.decrementAndGet();
                waitingReply = text;
                waitingSink = sink;
                wake(); // the event loop admits it once there is room
            }
        });
    }

    /** Has the event loop write what is waiting; at most one write task is pending at a time. */
    void wake() {
        if (scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this);
        }
    }

    /**
     * Writes what is waiting while the channel takes it, then flushes once; runs on the channel's event loop, as a
     * task or straight from the channel's writability event. Throws nothing: an exception out of here would reach the
     * channel's pipeline, where Reactor Netty ends the socket with a bare 1002 "Protocol error" and logs it at debug
     * only. A failure is logged with its stack trace instead, what was written before it is flushed, and the session
     * is closed with 1011, so that its client resumes from its last cursor.
     */
    @Override
    public void run() {
        scheduled.set(false);
        if (!channel.isActive()) {
            replies.clear(); // the session ends with its channel
            return;
        }
        boolean wrote;
        try {
            wrote = writeWaiting();
        } catch (RuntimeException e) {
            log.warn("writing a WebSocket session's frames failed; closing it with 1011", e);
            subscription.fail(Reason.INTERNAL_ERROR, FAILED);
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    /** Writes replies, then frames, while the channel takes them; whether it wrote anything. */
    private boolean writeWaiting() {
        boolean wrote = false;
        String reply;
        while (channel.isWritable() && (reply = replies.poll()) != null) {
            replyCount.decrementAndGet();
            channel.write(new TextWebSocketFrame(ByteBufUtil.writeUtf8(channel.alloc(), reply)), channel.voidPromise());
            wrote = true;
        }
        admitWaitingReply();
        if (!started) {
            return wrote;
        }
        ByteBuf batch = null;
        try {
            while (channel.isWritable()) {
                Frame frame = subscription.poll();
                if (frame == null) {
                    break;
                }
                if (frame instanceof LiveFrame live) {
                    channel.write(live.webSocketFrame().duplicate(), channel.voidPromise());
                } else {
                    batch = writeEncoded(frame.json(), batch);
                }
                wrote = true;
            }
        } finally {
            if (batch != null) {
                batch.release();
            }
        }
        subscription.setClientBlocked(!channel.isWritable());
        return wrote;
    }

    /**
     * Writes {@code json} as a text frame encoded into {@code batch} (or a new batch buffer when it has no room left),
     * as a slice of it; returns the batch buffer to go on with. Written at once, so that it goes out before anything
     * that {@link Subscription#poll()} does next (ending the session writes the close frame).
     */
    private ByteBuf writeEncoded(byte[] json, ByteBuf batch) {
        int length = LiveFrame.wireLength(json.length);
        if (batch == null || batch.writableBytes() < length) {
            if (batch != null) {
                batch.release();
            }
            batch = channel.alloc().directBuffer(Math.max(BATCH_BYTES, length));
        }
        int start = batch.writerIndex();
        LiveFrame.appendTextFrame(batch, json);
        channel.write(batch.retainedSlice(start, length), channel.voidPromise());
        return batch;
    }

    private void admitWaitingReply() {
        MonoSink<Void> sink = waitingSink;
        if (sink != null && replyCount.incrementAndGet() <= MAX_REPLIES) {
            replies.offer(waitingReply);
            waitingReply = null;
            waitingSink = null;
            sink.success();
            if (channel.isWritable()) {
                wake();
            }
        } else if (sink != null) {
            replyCount.decrementAndGet();
        }
    }
}
