package io.fanout.tools.faults;

import io.fanout.tools.net.WsConnector;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.Disposable;

/**
 * Follows one channel over WebSocket like a well-behaved client: records every event's offset and message number,
 * and when the socket closes (or cannot be opened) reconnects from right after the last event it received: with
 * {@code cursor=<the frame's cursor>} when the frames carry one, else with {@code from=<last offset + 1>}. With
 * several fan-out instances it starts on its {@code home} one and moves on to the next in the list after each
 * lost connection or failed attempt. One connection at a time, through the {@link WsConnector} bench uses; its
 * callbacks run on that connection's event-loop thread, reconnects on the {@code retry} executor. Counters are safe
 * to read from any thread.
 */
final class Follower {

    private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+)");
    private static final Pattern N = Pattern.compile("\"n\":(-?\\d+)");
    private static final Pattern CURSOR = Pattern.compile("\"cursor\":\"([^\"]+)\"");

    private final List<WsConnector> connectors;
    private final ScheduledExecutorService retry;
    private final String channel;
    final Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> closes = new ConcurrentHashMap<>();
    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger frames = new AtomicInteger();
    final AtomicInteger outOfOrder = new AtomicInteger();
    final ConcurrentLinkedQueue<Long> deliveredAt = new ConcurrentLinkedQueue<>();
    /** Message number → when (nanoTime) it was first delivered. */
    final Map<Long, Long> firstSeenAt = new ConcurrentHashMap<>();
    /** Connects whose query carried a cursor (the rest used from=, or started live). */
    final AtomicInteger cursorResumes = new AtomicInteger();
    /** When (nanoTime) the latest connection opened. */
    volatile long openedAt;
    /** When (nanoTime) the first event after the latest connection opened arrived; 0 until then. */
    volatile long firstEventAfterOpenAt;

    private volatile int target;
    private volatile long lastOffset = -1;
    private volatile String lastCursor;
    private volatile boolean stopping;
    private volatile Disposable connection;
    private volatile CompletableFuture<Void> open = new CompletableFuture<>();

    Follower(WsConnector connector, ScheduledExecutorService retry, String channel) {
        this(List.of(connector), 0, retry, channel);
    }

    /**
     * @param connectors the fan-out instances, in fail-over order
     * @param home the index of the instance to connect to first
     */
    Follower(List<WsConnector> connectors, int home, ScheduledExecutorService retry, String channel) {
        this.connectors = List.copyOf(connectors);
        this.target = home % connectors.size();
        this.retry = retry;
        this.channel = channel;
    }

    void connect() {
        if (stopping) {
            return;
        }
        long from = lastOffset;
        String cursor = lastCursor;
        String position = cursor != null
                ? "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)
                : from >= 0 ? "&from=" + (from + 1) : "";
        if (cursor != null) {
            cursorResumes.incrementAndGet();
        }
        WsConnector.Attempt attempt = connectors
                .get(target)
                .connect("channel=" + channel + position, new Connection(), Duration.ofSeconds(5));
        connection = attempt.connection();
        attempt.up().subscribe();
    }

    /** The index of the instance this follower is connected (or connecting) to. */
    int target() {
        return target;
    }

    private void moveOn() {
        target = (target + 1) % connectors.size();
        if (lastCursor != null) {
            // resuming by cursor, possibly in another region, where the same events have other offsets: order is
            // checked among the offsets of the new connection only
            lastOffset = -1;
        }
    }

    /**
     * Drops the open connection as a lost network would (no close frame is waited for): the follower moves on to
     * the next instance in its list and resumes there, as after any lost connection.
     */
    void dropConnection() {
        Disposable c = connection;
        if (c != null) {
            c.dispose();
        }
    }

    /** True while a socket is open (false from a close until the reconnect succeeded). */
    boolean isOpen() {
        return open.isDone();
    }

    void awaitOpen(Duration timeout) throws Exception {
        open.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() {
        stopping = true;
        Disposable c = connection;
        if (c != null) {
            c.dispose();
        }
    }

    /** Close codes (and "1006" for a connection lost without one, "error", "connect-failed") with their counts. */
    Map<String, Integer> closes() {
        Map<String, Integer> copy = new TreeMap<>();
        closes.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    private void count(String what) {
        closes.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    private void onEvent(String frame) {
        Matcher o = OFFSET.matcher(frame);
        Matcher n = N.matcher(frame);
        if (o.find() && n.find()) {
            long offset = Long.parseLong(o.group(1));
            if (offset <= lastOffset) {
                outOfOrder.incrementAndGet();
            } else {
                lastOffset = offset;
            }
            Matcher c = CURSOR.matcher(frame);
            if (c.find()) {
                lastCursor = c.group(1);
            }
            long now = System.nanoTime();
            if (firstEventAfterOpenAt == 0) {
                firstEventAfterOpenAt = now;
            }
            frames.incrementAndGet();
            long number = Long.parseLong(n.group(1));
            seen.computeIfAbsent(number, k -> new AtomicInteger()).incrementAndGet();
            firstSeenAt.putIfAbsent(number, now);
            deliveredAt.add(now);
        }
    }

    /** One connection attempt; reports its end once, whichever way it ends. */
    private final class Connection implements WsConnector.Listener {
        private final AtomicBoolean over = new AtomicBoolean();
        private volatile boolean wasOpen;
        private volatile int closeCode = -1;
        private volatile String closeReason = "";

        @Override
        public void opened() {
            wasOpen = true;
            firstEventAfterOpenAt = 0;
            openedAt = System.nanoTime();
            connects.incrementAndGet();
            open.complete(null);
        }

        @Override
        public void text(byte[] bytes, int length) {
            onEvent(new String(bytes, 0, length, StandardCharsets.UTF_8));
        }

        @Override
        public void closeStatus(int code, String reason) {
            closeCode = code;
            closeReason = reason;
        }

        @Override
        public void ended(String error) {
            if (!over.compareAndSet(false, true)) {
                return;
            }
            if (!wasOpen) {
                count("connect-failed");
                moveOn();
                if (!stopping) {
                    retry.schedule(Follower.this::connect, 500, TimeUnit.MILLISECONDS);
                }
                return;
            }
            count(closeCode >= 0 ? String.valueOf(closeCode) : error != null ? "error" : "1006");
            if (!stopping) {
                moveOn();
                Say.say(
                        "%s: socket closed %s; reconnecting %s",
                        channel,
                        closeCode >= 0
                                ? closeCode + " " + closeReason
                                : error != null ? error : "without a close frame",
                        lastCursor != null ? "with cursor=" + lastCursor : "from=" + (lastOffset + 1));
                open = new CompletableFuture<>();
                retry.schedule(Follower.this::connect, 200, TimeUnit.MILLISECONDS);
            }
        }
    }
}
