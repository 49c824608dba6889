package io.fanout.service.ws;

import io.fanout.service.subscribe.EventFrame;
import io.fanout.service.subscribe.LiveFrame;
import io.fanout.service.subscribe.Subscription;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Writes one WebSocket session's live frames and replies straight to its Netty channel, on the channel's event loop:
 * each live frame is a duplicate of the event's shared, already encoded bytes ({@link LiveFrame}), and everything
 * waiting is written with one flush. Writes stop while the channel is not writable (the client reads slower than
 * events arrive); frames then wait in the {@link Subscription}, whose bound closes the session as too slow, and
 * writing resumes when the channel drains ({@link SocketChannels#ON_WRITABLE}).
 *
 * <p>Replies (acks, errors) are written from the start; live frames only after {@link #startLive}, which a session
 * with a cursor calls once its history is written.
 */
final class SocketWriter implements Runnable {

    private final Channel channel;
    private final Subscription subscription;
    private final Queue<String> replies = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile Predicate<EventFrame> isLive;

    SocketWriter(Channel channel, Subscription subscription) {
        this.channel = channel;
        this.subscription = subscription;
        channel.attr(SocketChannels.ON_WRITABLE).set(this);
    }

    /** Starts writing live frames, passing on only those {@code isLive} accepts. */
    void startLive(Predicate<EventFrame> isLive) {
        this.isLive = isLive;
        subscription.drainWith(this::wake);
    }

    /** Queues a text frame to send back to the client. */
    void reply(String text) {
        replies.offer(text);
        wake();
    }

    /** Has the event loop write what is waiting; at most one write task is pending at a time. */
    private void wake() {
        if (scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this);
        }
    }

    /** Writes what is waiting, then flushes once; runs on the channel's event loop. */
    @Override
    public void run() {
        scheduled.set(false);
        if (!channel.isActive()) {
            replies.clear(); // the session ends with its channel and drops the live frames it holds
            return;
        }
        boolean wrote = false;
        String reply;
        while ((reply = replies.poll()) != null) {
            channel.write(new TextWebSocketFrame(ByteBufUtil.writeUtf8(channel.alloc(), reply)), channel.voidPromise());
            wrote = true;
        }
        Predicate<EventFrame> accept = isLive;
        if (accept != null) {
            boolean full = false;
            while (!subscription.ended()) {
                if (!channel.isWritable()) {
                    full = true; // resumes from SocketChannels' writability handler
                    break;
                }
                LiveFrame frame = subscription.poll();
                if (frame == null) {
                    break;
                }
                if (accept.test(frame.frame())) {
                    channel.write(frame.webSocketFrame().duplicate(), channel.voidPromise());
                    wrote = true;
                } else {
                    frame.release();
                }
            }
            subscription.stalled(full);
        }
        if (wrote) {
            channel.flush();
        }
    }
}
