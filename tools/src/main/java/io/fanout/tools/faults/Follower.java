package io.fanout.tools.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows one channel over WebSocket like a well-behaved client: records every event's offset and message number,
 * and when the socket closes (or cannot be opened) reconnects with {@code from=<last offset + 1>}. Listener
 * callbacks run one at a time (the JDK client requests one message at a time); counters are safe to read from
 * any thread.
 */
final class Follower implements WebSocket.Listener {

    private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+)");
    private static final Pattern N = Pattern.compile("\"n\":(-?\\d+)");

    private final HttpClient client;
    private final ScheduledExecutorService retry;
    private final Ports ports;
    private final String channel;
    final Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> closes = new ConcurrentHashMap<>();
    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger frames = new AtomicInteger();
    final AtomicInteger outOfOrder = new AtomicInteger();
    final ConcurrentLinkedQueue<Long> deliveredAt = new ConcurrentLinkedQueue<>();
    private volatile long lastOffset = -1;
    private volatile boolean stopping;
    private volatile WebSocket socket;
    private volatile CompletableFuture<Void> open = new CompletableFuture<>();
    private StringBuilder partial = new StringBuilder();

    Follower(HttpClient client, ScheduledExecutorService retry, Ports ports, String channel) {
        this.client = client;
        this.retry = retry;
        this.ports = ports;
        this.channel = channel;
    }

    void connect() {
        if (stopping) {
            return;
        }
        long from = lastOffset;
        String uri = ports.eventsUrl("channel=" + channel + (from >= 0 ? "&from=" + (from + 1) : ""));
        client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(URI.create(uri), this)
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        count("connect-failed");
                        retry.schedule(this::connect, 500, TimeUnit.MILLISECONDS);
                    }
                });
    }

    /** True while a socket is open (false from a close until the reconnect succeeded). */
    boolean isOpen() {
        return open.isDone();
    }

    void awaitOpen(Duration timeout) throws Exception {
        open.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        socket = webSocket;
        connects.incrementAndGet();
        open.complete(null);
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String frame = partial.toString();
            partial = new StringBuilder();
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
                seen.computeIfAbsent(Long.parseLong(n.group(1)), k -> new AtomicInteger()).incrementAndGet();
                deliveredAt.add(System.nanoTime());
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        count(String.valueOf(statusCode));
        if (!stopping) {
            Say.say("%s: socket closed %d %s; reconnecting from=%d", channel, statusCode, reason, lastOffset + 1);
            open = new CompletableFuture<>();
            retry.schedule(this::connect, 200, TimeUnit.MILLISECONDS);
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        count("error");
        if (!stopping) {
            Say.say("%s: socket error %s; reconnecting from=%d", channel, error, lastOffset + 1);
            open = new CompletableFuture<>();
            retry.schedule(this::connect, 500, TimeUnit.MILLISECONDS);
        }
    }

    void stop() {
        stopping = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
        }
    }

    /** Close codes (and "error", "connect-failed") with how often each happened. */
    Map<String, Integer> closes() {
        Map<String, Integer> copy = new TreeMap<>();
        closes.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    private void count(String what) {
        closes.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }
}
