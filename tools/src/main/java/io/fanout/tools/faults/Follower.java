package io.fanout.tools.faults;

import io.fanout.tools.net.WsConnector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * and when the socket closes (or cannot be opened) reconnects with {@code from=<last offset + 1>}. One connection
 * at a time, through the {@link WsConnector} bench uses; its callbacks run on that connection's event-loop
 * thread, reconnects on the {@code retry} executor. Counters are safe to read from any thread.
 */
final class Follower {

    private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+)");
    private static final Pattern N = Pattern.compile("\"n\":(-?\\d+)");

    private final WsConnector connector;
    private final ScheduledExecutorService retry;
    private final String channel;
    final Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> closes = new ConcurrentHashMap<>();
    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger frames = new AtomicInteger();
    final AtomicInteger outOfOrder = new AtomicInteger();
    final ConcurrentLinkedQueue<Long> deliveredAt = new ConcurrentLinkedQueue<>();
    private volatile long lastOffset = -1;
    private volatile boolean stopping;
    private volatile Disposable connection;
    private volatile CompletableFuture<Void> open = new CompletableFuture<>();

    Follower(WsConnector connector, ScheduledExecutorService retry, String channel) {
        this.connector = connector;
        this.retry = retry;
        this.channel = channel;
    }

    void connect() {
        if (stopping) {
            return;
        }
        long from = lastOffset;
        WsConnector.Attempt attempt = connector.connect(
                "channel=" + channel + (from >= 0 ? "&from=" + (from + 1) : ""),
                new Connection(),
                Duration.ofSeconds(5));
        connection = attempt.connection();
        attempt.up().subscribe();
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
            frames.incrementAndGet();
            seen.computeIfAbsent(Long.parseLong(n.group(1)), k -> new AtomicInteger())
                    .incrementAndGet();
            deliveredAt.add(System.nanoTime());
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
                if (!stopping) {
                    retry.schedule(Follower.this::connect, 500, TimeUnit.MILLISECONDS);
                }
                return;
            }
            count(closeCode >= 0 ? String.valueOf(closeCode) : error != null ? "error" : "1006");
            if (!stopping) {
                Say.say(
                        "%s: socket closed %s; reconnecting from=%d",
                        channel,
                        closeCode >= 0
                                ? closeCode + " " + closeReason
                                : error != null ? error : "without a close frame",
                        lastOffset + 1);
                open = new CompletableFuture<>();
                retry.schedule(Follower.this::connect, 200, TimeUnit.MILLISECONDS);
            }
        }
    }
}
