package io.fanout.service.subscribe;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * The live events of one session's channels, buffered up to a bound. The {@link Dispatcher} offers frames
 * from the single consumer thread; the session drains {@link #frames()}. When more than {@code capacity}
 * frames are waiting, the subscription overflows once: it stops accepting frames and {@link #overflow()}
 * emits, so the session can close with a resumable code. Nothing else waits for a slow subscriber.
 */
public final class Subscription {

    private final List<String> channels;
    private final int capacity;
    private final AtomicInteger pending = new AtomicInteger();
    private final Sinks.Many<EventFrame> live;
    private final Sinks.One<SlowSubscriberException> overflow = Sinks.one();
    private volatile boolean overflowed;

    public Subscription(List<String> channels, int capacity) {
        this.channels = List.copyOf(channels);
        this.capacity = capacity;
        // A small growing queue: idle sessions hold little memory, the bound is kept by 'pending'.
        this.live = Sinks.many().unicast().onBackpressureBuffer(Queues.<EventFrame>unbounded(16).get());
    }

    public List<String> channels() {
        return channels;
    }

    /** Offers a live frame; called only by the consumer thread. Returns false once overflowed. */
    boolean offer(EventFrame frame) {
        if (overflowed) {
            return false;
        }
        if (pending.incrementAndGet() > capacity) {
            overflowed = true;
            overflow.tryEmitValue(new SlowSubscriberException(
                    "slow consumer: more than " + capacity + " events waiting; reconnect with a cursor"));
            return false;
        }
        live.tryEmitNext(frame);
        return true;
    }

    /** The live frames in log order per partition; one subscriber only. */
    public Flux<EventFrame> frames() {
        return live.asFlux().doOnNext(frame -> pending.decrementAndGet());
    }

    /** Emits when the buffer overflowed. */
    public Mono<SlowSubscriberException> overflow() {
        return overflow.asMono();
    }
}
