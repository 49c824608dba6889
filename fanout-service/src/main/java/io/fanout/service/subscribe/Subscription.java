package io.fanout.service.subscribe;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The live events of one session's channels, buffered up to a bound. The {@link Dispatcher} offers frames from the
 * single consumer thread and wakes the subscription once per poll of records; whoever drains it, a socket writer
 * ({@link #drainWith}) or a {@link Flux} ({@link #frames()}), takes them with {@link #poll()}.
 *
 * <p>The subscription overflows once when more than {@code capacity} frames wait while it is stalled (no drain
 * attached yet, because its history is still being sent, or its drain stopped because the client takes no more: a
 * socket that is not writable, a stream without demand), or more than {@link #HARD_LIMIT_FACTOR} × {@code capacity}
 * in any case. It then stops accepting frames, drops what it holds, and {@link #overflow()} emits, so the session can
 * close with a resumable code. A burst larger than {@code capacity} to a client that keeps up is not an overflow.
 * Nothing else waits for a slow subscriber.
 */
public final class Subscription {

    /** Frames that may wait, stalled or not, before the subscription overflows: {@code capacity} times this. */
    static final int HARD_LIMIT_FACTOR = 8;

    private final List<String> channels;
    private final int capacity;
    private final AtomicInteger pending = new AtomicInteger();
    private final Queue<LiveFrame> queue = new ConcurrentLinkedQueue<>();
    private final Sinks.One<SlowSubscriberException> overflow = Sinks.one();
    private volatile Runnable drain;
    private volatile boolean stalled = true;
    private volatile boolean ended;
    /** Whether the dispatcher has this subscription in its list to wake; touched by the consumer thread only. */
    boolean awaitingWake;

    public Subscription(List<String> channels, int capacity) {
        this.channels = List.copyOf(channels);
        this.capacity = capacity;
    }

    public List<String> channels() {
        return channels;
    }

    /** Offers a live frame; called only by the consumer thread. Returns false once overflowed or ended. */
    boolean offer(LiveFrame frame) {
        if (ended) {
            return false;
        }
        int waiting = pending.incrementAndGet();
        if (waiting > capacity && (stalled || waiting > capacity * HARD_LIMIT_FACTOR)) {
            end(); // first, so that no frame is written after the close that the overflow triggers
            overflow.tryEmitValue(new SlowSubscriberException(
                    "slow consumer: more than " + capacity + " events waiting; reconnect with a cursor"));
            return false;
        }
        queue.offer(frame.retain());
        if (ended) {
            discardQueued(); // end() ran on another thread between the check and the offer
        }
        return true;
    }

    /** Tells the drain that frames arrived; called by the consumer thread after a poll's frames were offered. */
    void wake() {
        Runnable current = drain;
        if (current != null) {
            current.run();
        }
    }

    /** The oldest waiting frame, or {@code null}; the caller owns one reference to it. */
    public LiveFrame poll() {
        LiveFrame frame = queue.poll();
        if (frame != null) {
            pending.decrementAndGet();
        }
        return frame;
    }

    /** Whether the subscription overflowed or its session ended: nothing more is to be written for it. */
    public boolean ended() {
        return ended;
    }

    /** From now on, {@code drain} is run (on the consumer thread) whenever frames arrive; runs it once now. */
    public void drainWith(Runnable drain) {
        this.drain = drain;
        stalled = false;
        drain.run();
    }

    /** The drain tells, each time it stops, whether it stopped because the client takes no more for now. */
    public void stalled(boolean stalled) {
        this.stalled = stalled;
    }

    /** Stops taking frames and releases those waiting; idempotent, any thread. */
    public void end() {
        ended = true;
        drain = null;
        discardQueued();
    }

    private void discardQueued() {
        LiveFrame frame;
        while ((frame = poll()) != null) {
            frame.release();
        }
    }

    /**
     * The live frames as a {@link Flux}, in log order per partition, for sessions that are not a WebSocket; one
     * subscriber only. Frames wait here, counted against the bound, until the subscriber requests them.
     */
    public Flux<EventFrame> frames() {
        return Flux.create(sink -> {
            AtomicInteger work = new AtomicInteger();
            Runnable emit = () -> emit(sink, work);
            sink.onRequest(n -> emit.run());
            sink.onDispose(this::end);
            drainWith(emit);
        });
    }

    private void emit(FluxSink<EventFrame> sink, AtomicInteger work) {
        if (work.getAndIncrement() != 0) {
            return; // the thread already emitting goes round once more
        }
        do {
            boolean noDemand = false;
            while (!sink.isCancelled()) {
                if (sink.requestedFromDownstream() == 0) {
                    noDemand = true;
                    break;
                }
                LiveFrame frame = poll();
                if (frame == null) {
                    break;
                }
                frame.release();
                sink.next(frame.frame());
            }
            stalled(noDemand);
        } while (work.decrementAndGet() != 0);
    }

    /** Emits when the buffer overflowed. */
    public Mono<SlowSubscriberException> overflow() {
        return overflow.asMono();
    }
}
