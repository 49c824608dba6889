package io.fanout.service.subscribe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * Routes each live event to the subscriptions of its channel. {@link #dispatch} is called by the one
 * consumer thread, in log order per partition; {@link #register}/{@link #unregister} may be called from
 * any thread. Per channel the subscribers are a copy-on-write array, so dispatch takes no lock.
 */
@Component
public class Dispatcher {

    private static final Subscription[] NONE = new Subscription[0];

    private final ConcurrentMap<String, Subscription[]> byChannel = new ConcurrentHashMap<>();
    private final AtomicInteger subscriptions = new AtomicInteger();
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

    /** Hands {@code frame} to every subscription of its channel. */
    public void dispatch(EventFrame frame) {
        Subscription[] targets = byChannel.getOrDefault(frame.channel(), NONE);
        int delivered = 0;
        for (Subscription target : targets) {
            if (target.offer(frame)) {
                delivered++;
            }
        }
        if (delivered > 0) {
            deliveries.increment(delivered);
        }
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

    public void unregister(Subscription subscription) {
        for (String channel : subscription.channels()) {
            byChannel.computeIfPresent(channel, (name, current) -> {
                Subscription[] kept = Arrays.stream(current).filter(s -> s != subscription).toArray(Subscription[]::new);
                return kept.length == 0 ? null : kept;
            });
        }
        subscriptions.decrementAndGet();
    }

    /** Counts a session closed for being too slow. */
    public void recordSlowDisconnect() {
        slowDisconnects.increment();
    }
}
