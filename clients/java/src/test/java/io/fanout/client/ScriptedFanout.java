package io.fanout.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * A stand-in for fanout-service's {@code /events} that plays one script per connection (the last script serves
 * every further one), for what the real service does only rarely: gaps, {@code subscribed} and catch-up frames,
 * chosen close codes. Records each connection's request URI.
 */
final class ScriptedFanout implements AutoCloseable {

    /** What one connection does: write frames to {@code out}, maybe close it. */
    interface Script extends BiFunction<WebsocketInbound, WebsocketOutbound, Publisher<Void>> {}

    final List<String> requests = new CopyOnWriteArrayList<>();
    private final DisposableServer server;

    ScriptedFanout(Script... scripts) {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.get("/events", (request, response) -> {
                    requests.add(request.uri());
                    Script script = scripts[Math.min(requests.size(), scripts.length) - 1];
                    return response.sendWebsocket(script);
                }))
                .bindNow();
    }

    String url() {
        return "ws://127.0.0.1:" + server.port();
    }

    static String event(String channel, int partition, long offset) {
        return "{\"channel\":\"" + channel + "\",\"partition\":" + partition + ",\"offset\":" + offset
                + ",\"timestamp\":0,\"id\":\"" + partition + "-" + offset + "\",\"message\":{\"o\":" + offset + "}}";
    }

    /** An event frame with an {@code origin} and a {@code cursor}, as a server with cursors sends it. */
    static String event(String channel, int partition, long offset, String origin, String cursor) {
        String plain = event(channel, partition, offset);
        return plain.substring(0, plain.length() - 1) + ",\"origin\":\"" + origin + "\",\"cursor\":\"" + cursor + "\"}";
    }

    /** Sends {@code frames}, then closes with {@code code} and {@code reason}. */
    static Script sendThenClose(int code, String reason, String... frames) {
        return (in, out) -> out.sendString(reactor.core.publisher.Flux.fromArray(frames))
                .then()
                .then(out.sendClose(code, reason));
    }

    /** Sends {@code frames} and keeps the connection open. */
    static Script sendAndStay(String... frames) {
        return (in, out) -> out.sendString(reactor.core.publisher.Flux.fromArray(frames))
                .then()
                .then(Mono.never());
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
