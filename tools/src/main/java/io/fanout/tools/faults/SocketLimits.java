package io.fanout.tools.faults;

import static io.fanout.tools.faults.Say.fmt;
import static io.fanout.tools.faults.Say.say;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The WebSocket half of the flood: more sockets than fanout-service's connection cap, one more after releasing
 * them, and large text messages as the JDK client sends them (fragmented). Uses the JDK client on purpose: its
 * fragmenting of long messages is one of the things reported.
 */
final class SocketLimits {

    private final HttpClient client = HttpClient.newHttpClient();
    private final Ports ports;
    private final StringBuilder figures = new StringBuilder();

    SocketLimits(Ports ports) {
        this.ports = ports;
    }

    String figures() {
        return figures.toString();
    }

    /** Opens {@code sockets} against a cap: {@code cap} stay open, the rest close with 1013; true if so. */
    boolean overCap(int sockets, int cap) throws Exception {
        say("opening %d WebSockets against a cap of %d", sockets, cap);
        Map<String, AtomicInteger> closes = new ConcurrentHashMap<>();
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<String> reasons = Collections.synchronizedList(new ArrayList<>());
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket ws) {
                opened.incrementAndGet();
                ws.request(Long.MAX_VALUE);
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                closes.computeIfAbsent(String.valueOf(code), k -> new AtomicInteger())
                        .incrementAndGet();
                if (reasons.isEmpty()) {
                    reasons.add(reason);
                }
                return null;
            }
        };
        List<CompletableFuture<WebSocket>> all = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            all.add(client.newWebSocketBuilder()
                    .connectTimeout(java.time.Duration.ofSeconds(10))
                    .buildAsync(URI.create(ports.eventsUrl("channel=faults-cap")), listener)
                    .whenComplete((ws, e) -> {
                        if (e != null) {
                            failed.incrementAndGet();
                        }
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .exceptionally(e -> null)
                .get(60, TimeUnit.SECONDS);
        TimeUnit.SECONDS.sleep(3); // refusals arrive as closes right after the upgrade
        int refused1013 = closes.getOrDefault("1013", new AtomicInteger()).get();
        int closedTotal = closes.values().stream().mapToInt(AtomicInteger::get).sum();
        int stillOpen = opened.get() - closedTotal;
        Map<String, Integer> closeCounts = new TreeMap<>();
        closes.forEach((k, v) -> closeCounts.put(k, v.get()));
        figures.append(fmt(
                " ws_opened=%d ws_still_open=%d ws_refused_1013=%d ws_closes=%s ws_failed=%d "
                        + "ws_refusal_reason=\"%s\"",
                opened.get(),
                stillOpen,
                refused1013,
                closeCounts.toString().replace(" ", ""),
                failed.get(),
                reasons.isEmpty() ? "" : reasons.get(0)));
        for (CompletableFuture<WebSocket> f : all) {
            WebSocket ws = f.getNow(null);
            if (ws != null && !ws.isOutputClosed()) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
            }
        }
        TimeUnit.SECONDS.sleep(3);
        return stillOpen == Math.min(cap, sockets) && refused1013 == Math.max(0, sockets - cap);
    }

    /** After the others were released one more socket is accepted (the cap counts open sockets only). */
    boolean acceptedAfterRelease() throws Exception {
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket again = open("faults-cap", closed, null);
        boolean accepted;
        try {
            closed.get(1, TimeUnit.SECONDS);
            accepted = false;
        } catch (java.util.concurrent.TimeoutException stillOpen) {
            accepted = true;
        }
        figures.append(" ws_accepted_after_release=").append(accepted);
        again.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        return accepted;
    }

    /**
     * A publish over the 1 MiB limit and one of 100 KB, each sent the way the JDK client sends long text
     * (continuation frames): reported, not judged (fanout's 1009 test, ConnectionLimitsIT, sends one frame, as
     * browsers do).
     */
    void largeMessages() throws Exception {
        CompletableFuture<Integer> bigClose = new CompletableFuture<>();
        WebSocket big = open("faults-big", bigClose, null);
        big.sendText("{\"message\":\"" + "y".repeat(2 * 1024 * 1024) + "\"}", true)
                .exceptionally(e -> null);
        figures.append(" oversized_message_close_jdk_fragments=").append(answer(bigClose, 0));

        CompletableFuture<String> midAnswer = new CompletableFuture<>();
        CompletableFuture<Integer> midClose = new CompletableFuture<>();
        midClose.thenAccept(code -> midAnswer.complete("close:" + code));
        WebSocket mid = open("faults-mid", midClose, midAnswer);
        mid.sendText("{\"message\":\"" + "z".repeat(100 * 1024) + "\"}", true).exceptionally(e -> null);
        figures.append(" publish_100KB_jdk_fragments=").append(answer(midAnswer, "none"));
        mid.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }

    /** A socket whose close code (-1 on error) completes {@code closed}, and whose first ack/error frame {@code answers}. */
    private WebSocket open(String channel, CompletableFuture<Integer> closed, CompletableFuture<String> answers)
            throws Exception {
        return client.newWebSocketBuilder()
                .buildAsync(URI.create(ports.eventsUrl("channel=" + channel)), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last && answers != null) {
                            String frame = text.toString();
                            if (frame.contains("\"type\":\"ack\"")) {
                                answers.complete("ack");
                            } else if (frame.contains("\"type\":\"error\"")) {
                                answers.complete("error");
                            }
                        }
                        if (last) {
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                        closed.complete(code);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.complete(-1);
                    }
                })
                .get(10, TimeUnit.SECONDS);
    }

    private static <T> T answer(CompletableFuture<T> future, T none) {
        try {
            return future.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            return none;
        }
    }
}
