package io.fanout.service.subscribe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * Routes each live event to the subscriptions of its channel. {@link #dispatch} and {@link #wakeSubscribers} are
 * called by the one consumer thread, in log order per partition; {@link #register}/{@link #unregister} may be called
 * from any thread. Per channel the subscribers are a copy-on-write array, so dispatch takes no lock.
 *
 * <p>Each event is encoded once ({@link LiveFrame}); every subscription of its channel gets a reference to the same
 * bytes. Subscriptions are woken once per poll of records, not once per event, so a socket writes all the frames of
 * a poll with one flush.
 */
@Component
public class Dispatcher {

    private static final Subscription[] NONE = new Subscription[0];

    private final ConcurrentMap<String, Subscription[]> byChannel = new ConcurrentHashMap<>();
    private final AtomicInteger subscriptions = new AtomicInteger();
    /** Subscriptions handed frames since the last wake; the consumer thread's only. */
    private final List<Subscription> toWake = new ArrayList<>();
    private final Counter deliveries;
    private final Counter slowDisconnects;

    public Dispatcher(MeterRegistry meters) {
        this.deliveries = Counter.builder("fanout.deliveries").description("event frames handed to sessions")
                .register(meters);
        this.slowDisconnects = Counter.builder("fanout.sessions.slow.disconnects")
                .description("sessions closed because their buffer overflowed").register(meters);
        Gauge.builder("fanout.sessions", subscriptions, AtomicInteger::get).description("open subscriptions")
                .register(meters);
        Gauge.builder("fanout.channels.subscribed", byChannel, ConcurrentMap::size)
                .description("channels with at least one subscriber").register(meters);
    }

    /** Whether any session follows {@code channel}; lets the consumer skip decoding unwatched events. */
    public boolean hasSubscribers(String channel) {
        return byChannel.containsKey(channel);
    }

    /** Hands {@code frame} to every subscription of its channel; they learn of it at {@link #wakeSubscribers}. */
    public void dispatch(EventFrame frame) {
        Subscription[] targets = byChannel.getOrDefault(frame.channel(), NONE);
        if (targets.length == 0) {
            return;
        }
        LiveFrame live = LiveFrame.encode(frame, ByteBufAllocator.DEFAULT);
        int delivered = 0;
        try {
            for (Subscription target : targets) {
                if (target.offer(live)) {
                    delivered++;
                    if (!target.awaitingWake) {
                        target.awaitingWake = true;
                        toWake.add(target);
                    }
                }
            }
        } finally {
            live.release(); // each subscription holds its own reference
        }
        if (delivered > 0) {
            deliveries.increment(delivered);
        }
    }

    /** Wakes every subscription that was handed frames since the last call. */
    public void wakeSubscribers() {
        for (Subscription target : toWake) {
            target.awaitingWake = false;
            target.wake();
        }
        toWake.clear();
    }

    public void register(Subscription subscription) {
        subscriptions.incrementAndGet();
        for (String channel : subscription.channels()) {
            byChannel.compute(channel, (name, current) -> {
                Subscription[] base = current == null ? NONE : current;
                Subscription[] grown = Arrays.copyOf(base, base.length + 1);
                grown[base.length] = subscription;
                return grown;
            });
        }
    }

    /** Removes {@code subscription}, which takes no more frames and drops those it holds. */
    public void unregister(Subscription subscription) {
        subscription.end();
        for (String channel : subscription.channels()) {
            byChannel.computeIfPresent(channel, (name, current) -> without(current, subscription));
        }
        subscriptions.decrementAndGet();
    }

    /** {@code current} less {@code gone}; {@code null} when nothing is left. Runs under the channel's map lock. */
    private static Subscription[] without(Subscription[] current, Subscription gone) {
        int at = -1;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == gone) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            return current;
        }
        if (current.length == 1) {
            return null;
        }
        Subscription[] kept = new Subscription[current.length - 1];
        System.arraycopy(current, 0, kept, 0, at);
        System.arraycopy(current, at + 1, kept, at, current.length - at - 1);
        return kept;
    }

    /** Counts a session closed for being too slow. */
    public void recordSlowDisconnect() {
        slowDisconnects.increment();
    }
}
