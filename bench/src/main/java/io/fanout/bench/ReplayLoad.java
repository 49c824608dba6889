package io.fanout.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * K replay subscribers kept busy in the background: each connects to /events?channel=C&from=O,
 * reads the channel's history through (all n events), disconnects and connects again, until
 * {@link #stop()}. A cycle that is refused (e.g. 1013, too many replays) or stalls for 10 s is
 * counted and retried after 200 ms. Driven by one daemon thread; the counters are read under the
 * object's lock.
 */
final class ReplayLoad {
    private final WsClients ws;
    private final String channel;
    private final byte[] channelName;
    private final long from;
    private final long n;
    private final Slot[] slots;
    private final Thread driver;
    private volatile boolean running = true;

    // under this
    private long completedEvents; // events read by cycles that are over
    private final String tokenQuery;
    private long cyclesCompleted;
    private long cyclesIncomplete;
    private long connectFailures;
    private final Map<String, Integer> closeCodes = new TreeMap<>();
    private final Histogram cycleMillis = new Histogram(3);

    private static final class Slot {
        Sub sub;
        Tally tally;
        long startNanos;
        long lastCount;
        long lastChange;
        long retryAt;
    }

    /** @param tokenQuery what each subscription's query ends with ({@code &token=...} with auth on, else empty) */
    ReplayLoad(WsClients ws, String channel, long from, long n, int k, String tokenQuery) {
        this.ws = ws;
        this.tokenQuery = tokenQuery;
        this.channel = channel;
        this.channelName = channel.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.from = from;
        this.n = n;
        this.slots = new Slot[k];
        for (int i = 0; i < k; i++) {
            slots[i] = new Slot();
        }
        this.driver = new Thread(this::drive, "bench-replay-load");
        this.driver.setDaemon(true);
    }

    ReplayLoad start() {
        driver.start();
        return this;
    }

    private void drive() {
        while (running) {
            long now = System.nanoTime();
            synchronized (this) {
                for (Slot s : slots) {
                    step(s, now);
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void step(Slot s, long now) {
        if (s.sub == null) {
            if (now >= s.retryAt) {
                open(s, now);
            }
            return;
        }
        long c = s.tally.deliveries.sum();
        if (c != s.lastCount) {
            s.lastCount = c;
            s.lastChange = now;
        }
        if (c >= n) {
            cyclesCompleted++;
            cycleMillis.recordValue(Math.max(0, (now - s.startNanos) / 1_000_000));
            finish(s, c, now);
        } else if (s.sub.closed) {
            cyclesIncomplete++;
            if (!s.sub.connected) {
                connectFailures++;
            }
            if (s.sub.closeCode >= 0) {
                closeCodes.merge(
                        s.sub.closeCode + (s.sub.closeReason.isEmpty() ? "" : " " + s.sub.closeReason),
                        1,
                        Integer::sum);
            }
            finish(s, c, now + 200_000_000L);
        } else if (now - s.lastChange > 10_000_000_000L) {
            cyclesIncomplete++;
            closeCodes.merge("stalled 10 s", 1, Integer::sum);
            finish(s, c, now);
        }
    }

    private void finish(Slot s, long count, long retryAt) {
        completedEvents += count;
        s.sub.close();
        s.sub = null;
        s.tally = null;
        s.retryAt = retryAt;
    }

    private void open(Slot s, long now) {
        s.tally = new Tally();
        s.sub = new Sub(0, channelName, s.tally);
        s.startNanos = now;
        s.lastCount = 0;
        s.lastChange = now;
        // the handshake completes on the event loop; its outcome shows in sub.connected / sub.closed
        ws.connect(s.sub, "channel=" + channel + "&from=" + from + tokenQuery, Duration.ofSeconds(20))
                .subscribe();
    }

    /** Events read back so far by all replay subscribers (cycles over and under way). */
    synchronized long eventsRead() {
        long sum = completedEvents;
        for (Slot s : slots) {
            if (s.tally != null) {
                sum += s.tally.deliveries.sum();
            }
        }
        return sum;
    }

    /** Stops the driver and closes the subscribers under way (bounded wait). */
    void stop() {
        running = false;
        try {
            driver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Sub> open = new ArrayList<>();
        synchronized (this) {
            for (Slot s : slots) {
                if (s.sub != null) {
                    open.add(s.sub);
                }
            }
        }
        WsClients.closeAll(open, Duration.ofSeconds(10));
    }

    synchronized Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("replaySubscribers", slots.length);
        m.put("historyEvents", n);
        m.put("fromOffset", from);
        m.put("cyclesCompleted", cyclesCompleted);
        m.put("cyclesIncomplete", cyclesIncomplete);
        m.put("connectFailures", connectFailures);
        m.put("closeCodes", closeCodes);
        if (cycleMillis.getTotalCount() > 0) {
            m.put("cycleSecondsP50", cycleMillis.getValueAtPercentile(50) / 1000.0);
            m.put("cycleSecondsMax", cycleMillis.getMaxValue() / 1000.0);
        }
        return m;
    }

    synchronized long cyclesCompleted() {
        return cyclesCompleted;
    }
}
