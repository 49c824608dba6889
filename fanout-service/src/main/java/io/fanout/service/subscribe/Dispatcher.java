package io.fanout.service.subscribe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Routes each live event to the subscriptions of its channel, and hands subscriptions over to live delivery.
 * {@link #dispatch}, {@link #wakeSubscribers} and {@link #serveLiveRequests} are called by the one live consumer
 * thread, in log order per partition; {@link #register}, {@link #unregister} and {@link #requestLive} may be called
 * from any thread. Per channel the subscribers are a copy-on-write array, so dispatch takes no lock.
 *
 * <p>Each event is encoded once ({@link LiveFrame}); every subscription of its channel gets a reference to the same
 * bytes. Subscriptions are woken once per poll of records, not once per event, so a socket writes all the frames of
 * a poll with one flush. A subscription that cannot take a frame (its bound, or any failure) drops its live buffer
 * and catches up from the log; one subscription's failure never stops delivery to the others.
 */
@Component
public class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final Subscription[] NONE = new Subscription[0];

    private final ConcurrentMap<String, Subscription[]> byChannel = new ConcurrentHashMap<>();
    private final Set<Subscription> all = ConcurrentHashMap.newKeySet();
    private final Queue<LiveRequest> liveRequests = new ConcurrentLinkedQueue<>();
    /** Subscriptions handed frames since the last wake; the consumer thread's only. */
    private final Set<Subscription> toWake = Collections.newSetFromMap(new IdentityHashMap<>());
    /**
     * The maps of the last grants, the consumer thread's only: grants made while the positions did not move share
     * them, so an idle channel's subscribers do not each keep a copy (a few hundred bytes per partition count).
     */
    private Map<OriginPartition, Long> grantedFrom = Map.of();

    private Map<OriginPartition, Long> grantedPollStart = Map.of();
    private Map<OriginPartition, PartitionCursor.Mark> grantedMarks = Map.of();

    private final Counter deliveries;
    private volatile Runnable onLiveRequest = () -> {};

    private record LiveRequest(Subscription subscription, boolean withPollFrames) {}

    public Dispatcher(MeterRegistry meters) {
        this.deliveries = Counter.builder("fanout.deliveries")
                .description("event frames handed to sessions")
                .register(meters);
        Gauge.builder("fanout.channels.subscribed", byChannel, ConcurrentMap::size)
                .description("channels with at least one subscriber")
                .register(meters);
    }

    /** Whether any session follows {@code channel}; lets the consumer skip decoding unwatched events. */
    public boolean hasSubscribers(String channel) {
        return byChannel.containsKey(channel);
    }

    /**
     * Hands {@code frame} to every subscription of its channel; they learn of it at {@link #wakeSubscribers}. A
     * subscription that cannot take it (its bound, or it failed) drops its live buffer and reads the log instead.
     * Throws only when the frame cannot be encoded at all; then every subscription of the channel reads the log.
     */
    public void dispatch(EventFrame frame) {
        Subscription[] targets = byChannel.getOrDefault(frame.channel(), NONE);
        if (targets.length == 0) {
            return;
        }
        LiveFrame live;
        try {
            live = LiveFrame.encode(frame, ByteBufAllocator.DEFAULT);
        } catch (Throwable e) {
            for (Subscription target : targets) {
                target.dropLive();
            }
            throw e;
        }
        int delivered = 0;
        try {
            for (Subscription target : targets) {
                try {
                    if (target.offer(live)) {
                        delivered++;
                        toWake.add(target);
                    }
                } catch (Throwable e) {
                    log.warn("a session could not take a live frame; it catches up from the log: {}", e.toString());
                    target.dropLive();
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
            try {
                target.wake();
            } catch (Throwable e) {
                log.warn("waking a session failed: {}", e.toString());
            }
        }
        toWake.clear();
    }

    /**
     * Asks the live consumer for live frames for {@code subscription}; answered on its thread between two polls
     * ({@link #serveLiveRequests}), once it has its partitions and positions.
     *
     * @param withPollFrames whether the answer carries the subscription's events of the poll under way
     */
    void requestLive(Subscription subscription, boolean withPollFrames) {
        liveRequests.offer(new LiveRequest(subscription, withPollFrames));
        onLiveRequest.run();
    }

    /** Whether a request waits; consumer thread. */
    public boolean hasLiveRequests() {
        return !liveRequests.isEmpty();
    }

    /** Runs (on the requesting thread) after each request is queued: the consumer uses it to end a waiting poll. */
    public void onLiveRequest(Runnable nudge) {
        this.onLiveRequest = nudge;
    }

    /**
     * Answers the waiting requests; consumer thread, between two polls.
     *
     * @param positions the consumer's position per origin partition now: everything below was dispatched
     * @param pollStart its positions before the poll just dispatched
     * @param pollFramesOf the events of the given channels in that poll, in order per partition
     */
    public void serveLiveRequests(
            Map<OriginPartition, Long> positions,
            Map<OriginPartition, Long> pollStart,
            Function<Set<String>, List<EventFrame>> pollFramesOf) {
        serveLiveRequests(positions, pollStart, pollFramesOf, Map::of);
    }

    /**
     * Answers the waiting requests, with the cursor marks at {@code pollStart} (asked for only when a request waits);
     * consumer thread, between two polls.
     */
    public void serveLiveRequests(
            Map<OriginPartition, Long> positions,
            Map<OriginPartition, Long> pollStart,
            Function<Set<String>, List<EventFrame>> pollFramesOf,
            java.util.function.Supplier<Map<OriginPartition, PartitionCursor.Mark>> marksAtPollStart) {
        Map<OriginPartition, PartitionCursor.Mark> marks = null;
        LiveRequest request;
        int budget = liveRequests.size() + 16; // requests queued while serving wait for the next poll
        while (budget-- > 0 && (request = liveRequests.poll()) != null) {
            Subscription subscription = request.subscription();
            if (subscription.ended()) {
                continue;
            }
            List<EventFrame> frames =
                    request.withPollFrames() ? pollFramesOf.apply(Set.copyOf(subscription.channels())) : List.of();
            try {
                if (marks == null) {
                    grantedFrom = sameOrCopy(grantedFrom, positions);
                    grantedPollStart = sameOrCopy(grantedPollStart, pollStart);
                    grantedMarks = sameOrCopy(grantedMarks, marksAtPollStart.get());
                    marks = grantedMarks;
                }
                subscription.granted(new LiveGrant(grantedFrom, grantedPollStart, frames, marks));
            } catch (Throwable e) {
                log.warn("handing a session over to live delivery failed: {}", e.toString());
                subscription.fail(SessionEnd.Reason.DELIVERY_STOPPED, "live delivery failed; reconnect with from=");
            }
        }
    }

    /** {@code previous} when it holds what {@code latest} does, else an immutable copy of {@code latest}. */
    private static <K, V> Map<K, V> sameOrCopy(Map<K, V> previous, Map<K, V> latest) {
        return previous.equals(latest) ? previous : Map.copyOf(latest);
    }

    /** Ends every subscription: live delivery stopped on this instance, so clients resume on another. */
    public void failAll(String detail) {
        for (Subscription subscription : new ArrayList<>(all)) {
            subscription.fail(SessionEnd.Reason.DELIVERY_STOPPED, detail);
        }
    }

    /** Open subscriptions. */
    public int size() {
        return all.size();
    }

    void register(Subscription subscription) {
        all.add(subscription);
        for (String channel : subscription.channels()) {
            byChannel.compute(channel, (name, current) -> {
                Subscription[] base = current == null ? NONE : current;
                Subscription[] grown = Arrays.copyOf(base, base.length + 1);
                grown[base.length] = subscription;
                return grown;
            });
        }
    }

    /** Removes {@code subscription}; called by {@link Subscription#end()}. */
    void unregister(Subscription subscription) {
        if (!all.remove(subscription)) {
            return;
        }
        for (String channel : subscription.channels()) {
            byChannel.computeIfPresent(channel, (name, current) -> without(current, subscription));
        }
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
}
