package io.fanout.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * S subscribers (WebSocket, or SSE) over K channels (subscriber i follows channel i % K), and the bookkeeping that
 * turns what they received and what the publisher's acks said into delivered / lost / duplicated /
 * out-of-order counts. Driven from one thread (the phase's).
 */
final class SubscriberGroup {
    final Publisher.Channels channels;
    final Tally tally = new Tally();
    final List<Sub> subs = new ArrayList<>();
    int connected;
    double connectSeconds;
    int ready;
    private final Ctx ctx;
    private final boolean sse;

    SubscriberGroup(Ctx ctx, String prefix, int subscribers, int k) {
        this(ctx, new Publisher.Channels(prefix, k, true), subscribers, false);
    }

    /** Subscribers of {@code channels} (subscriber i follows channel i % K), over SSE when {@code sse}. */
    SubscriberGroup(Ctx ctx, Publisher.Channels channels, int subscribers, boolean sse) {
        this.ctx = ctx;
        this.sse = sse;
        this.channels = channels;
        int k = channels.size();
        for (int i = 0; i < subscribers; i++) {
            subs.add(new Sub(i % k, channels.nameBytes[i % k], tally));
        }
    }

    void connect() {
        long t = System.nanoTime();
        WsClients ws = sse ? ctx.sse() : ctx.ws();
        connected = ws.connectAll(
                subs,
                i -> "channel=" + channels.names[subs.get(i).channel] + ctx.tokenQuery(),
                ctx.o().integer("connect-concurrency"),
                Duration.ofSeconds(20),
                Duration.ofSeconds(180));
        connectSeconds = (System.nanoTime() - t) / 1e9;
    }

    /**
     * Publishes a probe to every channel every 300 ms until every connected subscriber received
     * one (so it is live), or the timeout. Returns the number of live subscribers.
     */
    int awaitReady(Publisher p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            p.probe(channels.names).block(Duration.ofSeconds(20));
            long next = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < next) {
                ready = 0;
                for (Sub s : subs) {
                    if (s.ready) {
                        ready++;
                    }
                }
                if (ready >= connected || System.nanoTime() > deadline) {
                    return ready;
                }
                WsClients.sleep(20);
            }
        }
    }

    /** Subscribers per channel among the live ones (for pacing), at least 1. */
    double readyPerChannel() {
        return Math.max(1.0, (double) ready / channels.size());
    }

    /** Deliveries owed: for each live subscriber, the acked events of its channel. */
    long expected() {
        long[] perChannel = new long[channels.size()];
        for (int c = 0; c < perChannel.length; c++) {
            perChannel[c] = channels.ackedCount(c);
        }
        long sum = 0;
        for (Sub s : subs) {
            if (s.ready) {
                sum += perChannel[s.channel];
            }
        }
        return sum;
    }

    /**
     * Waits until every owed delivery arrived, nothing arrived for idle, or max passed. Returns the
     * System.nanoTime() of the last observed progress.
     */
    long drain(long lastProgress, Duration idle, Duration max) {
        long expected = expected();
        long deadline = System.nanoTime() + max.toNanos();
        long last = tally.deliveries.sum();
        while (System.nanoTime() < deadline) {
            long now = tally.deliveries.sum();
            if (now != last) {
                last = now;
                lastProgress = System.nanoTime();
            }
            if (now >= expected || System.nanoTime() - lastProgress > idle.toNanos()) {
                break;
            }
            WsClients.sleep(20);
        }
        return lastProgress;
    }

    /** Closes every subscriber, then counts. Call once, after publishing and draining. */
    Map<String, Object> closeAndCount() {
        // subscribers the server closed before we did
        int serverClosed = 0;
        Map<String, Integer> closeCodes = new TreeMap<>();
        for (Sub s : subs) {
            if (s.connected && s.closed) {
                serverClosed++;
                closeCodes.merge(
                        s.closeCode
                                + (s.closeReason.isEmpty() ? "" : " " + s.closeReason)
                                + (s.error == null ? "" : " (" + s.error + ")"),
                        1,
                        Integer::sum);
            }
        }
        int stillOpen = WsClients.closeAll(subs, Duration.ofSeconds(20));
        long lost = 0;
        long dups = 0;
        long ooo = 0;
        long misrouted = 0;
        long unacked = 0;
        long others = 0;
        long unique = 0;
        for (Sub s : subs) {
            if (!s.ready) {
                continue;
            }
            Bits acked = channels.acked[s.channel];
            synchronized (acked) {
                lost += acked.andNotCount(s.seen);
                unacked += s.seen.andNotCount(acked);
            }
            unique += s.seen.cardinality();
            dups += s.dups;
            ooo += s.outOfOrder;
            misrouted += s.misrouted;
            others += s.others;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subscribers", subs.size());
        m.put("connected", connected);
        m.put("live", ready);
        m.put("connectSeconds", Fmt.r3(connectSeconds));
        m.put("uniqueDeliveries", unique);
        m.put("expectedDeliveries", expected());
        m.put("lost", lost);
        m.put("duplicated", dups);
        m.put("outOfOrder", ooo);
        m.put("misrouted", misrouted);
        m.put("deliveredButNotAcked", unacked);
        m.put("otherFrames", others);
        m.put("closedByServer", serverClosed);
        m.put("closeCodes", closeCodes);
        if (stillOpen > 0) {
            m.put("notClosedAfter20s", stillOpen);
        }
        return m;
    }
}
