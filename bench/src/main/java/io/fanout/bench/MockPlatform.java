package io.fanout.bench;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.util.concurrent.Queues;

/**
 * A trivial in-memory stand-in for the platform (no Kafka, nothing durable): POST /push,
 * POST /push/batch, WebSocket /events?channel=C[&from=O] (and the same as SSE, /sse), /actuator/health and a
 * jvm_memory_used_bytes-only /actuator/prometheus. It exists to test the generator and to show its
 * own ceiling ({@code bench/run --mock}); its figures say nothing about fanout.
 *
 * <p>Usage: {@code java -cp bench/target/fanout-bench.jar io.fanout.bench.MockPlatform [ingestPort fanoutPort]}
 */
public final class MockPlatform {

    /** One channel: its log (the frames, in offset order) and its live sessions. */
    private static final class Channel {
        final List<String> log = new ArrayList<>();
        final List<Sinks.Many<String>> sessions = new CopyOnWriteArrayList<>();
    }

    private final Map<String, Channel> channels = new ConcurrentHashMap<>();

    private final int keptPerChannel;

    private MockPlatform(int keptPerChannel) {
        this.keptPerChannel = keptPerChannel;
    }

    /**
     * Only the mock's POST /push and /push/batch, on {@code 127.0.0.1} and an ephemeral port, keeping no log: what
     * the generator warms its own publishing code on before the first-contact phase.
     */
    static DisposableServer pushSink() {
        MockPlatform m = new MockPlatform(0);
        return HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(r -> r.post("/push", m::push).post("/push/batch", m::push))
                .bindNow();
    }

    public static void main(String[] args) throws InterruptedException {
        int ingestPort = args.length > 0 ? Integer.parseInt(args[0]) : 18080;
        int fanoutPort = args.length > 1 ? Integer.parseInt(args[1]) : 18081;
        MockPlatform m = new MockPlatform(2_000_000);
        DisposableServer ingest = HttpServer.create()
                .host("127.0.0.1")
                .port(ingestPort)
                .route(r -> r.post("/push", m::push)
                        .post("/push/batch", m::push)
                        .get("/actuator/health", MockPlatform::health)
                        .get("/actuator/prometheus", MockPlatform::prometheus))
                .bindNow();
        DisposableServer fanout = HttpServer.create()
                .host("127.0.0.1")
                .port(fanoutPort)
                .route(r -> r.get("/events", (req, res) -> res.sendWebsocket((in, out) -> m.events(req.uri(), in, out)))
                        .get("/sse", (req, res) -> m.sse(req.uri(), res))
                        .get("/actuator/health", MockPlatform::health)
                        .get("/actuator/prometheus", MockPlatform::prometheus))
                .bindNow();
        System.out.println("mock platform: ingest http://127.0.0.1:" + ingestPort + "  fanout ws://127.0.0.1:"
                + fanoutPort + "  (pid " + ProcessHandle.current().pid() + ")");
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ingest.disposeNow(Duration.ofSeconds(3));
            fanout.disposeNow(Duration.ofSeconds(3));
            done.countDown();
        }));
        done.await();
    }

    private static Mono<Void> health(HttpServerRequest req, HttpServerResponse res) {
        return res.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendString(Mono.just("{\"status\":\"UP\"}"))
                .then();
    }

    private static Mono<Void> prometheus(HttpServerRequest req, HttpServerResponse res) {
        StringBuilder sb = new StringBuilder();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            sb.append("jvm_memory_used_bytes{area=\"")
                    .append(p.getType() == MemoryType.HEAP ? "heap" : "nonheap")
                    .append("\",id=\"")
                    .append(p.getName())
                    .append("\"} ")
                    .append(p.getUsage().getUsed())
                    .append('\n');
        }
        return res.sendString(Mono.just(sb.toString())).then();
    }

    private Mono<Void> push(HttpServerRequest req, HttpServerResponse res) {
        boolean batch = req.uri().startsWith("/push/batch");
        return req.receive()
                .aggregate()
                .asString(StandardCharsets.UTF_8)
                .defaultIfEmpty("")
                .flatMap(body -> {
                    List<String> objects = batch ? topLevelObjects(body) : List.of(body);
                    StringBuilder acks = new StringBuilder(batch ? "[" : "");
                    for (int i = 0; i < objects.size(); i++) {
                        String o = objects.get(i);
                        String ch = stringField(o, "channel");
                        String msg = valueOf(o, "message");
                        if (ch == null || msg == null) {
                            return res.status(400)
                                    .sendString(Mono.just("{\"detail\":\"channel and message needed\"}"))
                                    .then();
                        }
                        if (i > 0) {
                            acks.append(',');
                        }
                        acks.append(publish(ch, msg));
                    }
                    if (batch) {
                        acks.append(']');
                    }
                    return res.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                            .sendString(Mono.just(acks.toString()))
                            .then();
                });
    }

    /** Appends to the channel's log and hands the frame to every session; returns the ack. */
    private String publish(String ch, String msg) {
        Channel c = channels.computeIfAbsent(ch, k -> new Channel());
        long ts = System.currentTimeMillis();
        synchronized (c) {
            long offset = c.log.size();
            String frame = "{\"channel\":\"" + ch + "\",\"partition\":0,\"offset\":" + offset + ",\"timestamp\":" + ts
                    + ",\"id\":\"" + ch + "-" + offset + "\",\"message\":" + msg + "}";
            if (c.log.size() < keptPerChannel) {
                c.log.add(frame);
            }
            for (Sinks.Many<String> s : c.sessions) {
                if (s.tryEmitNext(frame).isFailure()) {
                    c.sessions.remove(s);
                    s.tryEmitError(new IllegalStateException("slow subscriber"));
                }
            }
            return "{\"channel\":\"" + ch + "\",\"id\":\"" + ch + "-" + offset + "\",\"partition\":0,\"offset\":"
                    + offset + ",\"timestamp\":" + ts + "}";
        }
    }

    /** A session's frames (its history from {@code from=}, then live ones) and how to leave its channel. */
    private record Session(Flux<String> frames, Runnable leave) {}

    private Session subscribe(String path) {
        String query = "";
        int q = path.indexOf('?');
        if (q >= 0) {
            query = path.substring(q + 1);
        }
        String ch = "lebowski";
        long from = -1;
        for (String kv : query.split("&")) {
            if (kv.startsWith("channel=")) {
                ch = kv.substring(8);
            } else if (kv.startsWith("from=")) {
                from = Long.parseLong(kv.substring(5));
            }
        }
        Channel c = channels.computeIfAbsent(ch, k -> new Channel());
        Sinks.Many<String> sink = Sinks.many()
                .unicast()
                .onBackpressureBuffer(Queues.<String>get(8192).get());
        List<String> history = List.of();
        synchronized (c) {
            if (from >= 0 && from < c.log.size()) {
                history = new ArrayList<>(c.log.subList((int) from, c.log.size()));
            }
            c.sessions.add(sink);
        }
        return new Session(Flux.fromIterable(history).concatWith(sink.asFlux()), () -> c.sessions.remove(sink));
    }

    private Mono<Void> events(String path, WebsocketInbound in, WebsocketOutbound out) {
        Session session = subscribe(path);
        return out.sendString(session.frames())
                .then()
                .and(in.receive().then())
                .doFinally(x -> session.leave().run())
                .onErrorResume(e -> out.sendClose(1008, "slow subscriber").then());
    }

    /** {@code /sse}: the same frames as Server-Sent Events ({@code event:message}, {@code data:<frame>}). */
    private Mono<Void> sse(String path, HttpServerResponse res) {
        Session session = subscribe(path);
        return res.header("Content-Type", "text/event-stream")
                .sendString(Flux.just(":subscribed\n\n")
                        .concatWith(session.frames().map(frame -> "event:message\ndata:" + frame + "\n\n")))
                .then()
                .doFinally(x -> session.leave().run());
    }

    // ---- minimal JSON slicing (the generator's own bodies only)

    private static List<String> topLevelObjects(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = -1;
        boolean str = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (str) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    str = false;
                }
                continue;
            }
            if (c == '"') {
                str = true;
            } else if (c == '{') {
                if (depth++ == 0) {
                    start = i;
                }
            } else if (c == '}') {
                if (--depth == 0) {
                    out.add(s.substring(start, i + 1));
                }
            }
        }
        return out;
    }

    private static String stringField(String o, String key) {
        int at = o.indexOf("\"" + key + "\"");
        if (at < 0) {
            return null;
        }
        int q1 = o.indexOf('"', o.indexOf(':', at) + 1);
        int q2 = o.indexOf('"', q1 + 1);
        return q1 < 0 || q2 < 0 ? null : o.substring(q1 + 1, q2);
    }

    private static String valueOf(String o, String key) {
        int at = o.indexOf("\"" + key + "\"");
        if (at < 0) {
            return null;
        }
        int i = o.indexOf(':', at) + 1;
        while (i < o.length() && Character.isWhitespace(o.charAt(i))) {
            i++;
        }
        int depth = 0;
        boolean str = false;
        for (int j = i; j < o.length(); j++) {
            char c = o.charAt(j);
            if (str) {
                if (c == '\\') {
                    j++;
                } else if (c == '"') {
                    str = false;
                    if (depth == 0) {
                        return o.substring(i, j + 1);
                    }
                }
                continue;
            }
            if (c == '"') {
                str = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return o.substring(i, j).trim();
                }
                if (--depth == 0) {
                    return o.substring(i, j + 1);
                }
            } else if (c == ',' && depth == 0) {
                return o.substring(i, j).trim();
            }
        }
        return null;
    }
}
