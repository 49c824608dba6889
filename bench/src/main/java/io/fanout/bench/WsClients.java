package io.fanout.bench;

import io.fanout.tools.net.SseConnector;
import io.fanout.tools.net.WsConnector;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * Opens the bench's subscriptions to fanout-service, WebSocket {@code /events} through the tools'
 * {@link WsConnector} or SSE {@code /sse} through its {@link SseConnector} (unpooled connections,
 * frames or events taken off the pipeline, after {@code perSourceIp} connections the next source
 * address 127.0.0.x), and opens or closes them in bulk.
 */
final class WsClients {

    /** Opens one subscription: WebSocket or SSE. */
    private interface Connect {
        WsConnector.Attempt connect(String query, WsConnector.Listener listener, Duration timeout);
    }

    private final Connect connector;

    WsClients(LoopResources loops, String fanoutUrl, int perSourceIp) {
        this.connector = new WsConnector(loops, fanoutUrl, perSourceIp)::connect;
    }

    private WsClients(Connect connector) {
        this.connector = connector;
    }

    /** Subscriptions over Server-Sent Events ({@code /sse}) instead. */
    static WsClients sse(LoopResources loops, String fanoutUrl, int perSourceIp) {
        return new WsClients(new SseConnector(loops, fanoutUrl, perSourceIp)::connect);
    }

    /**
     * Connects sub to /events?{query}. Completes with true once the handshake is done, false if it
     * failed or took longer than timeout (the attempt is then abandoned).
     */
    Mono<Boolean> connect(Sub sub, String query, Duration timeout) {
        WsConnector.Attempt attempt = connector.connect(query, sub, timeout);
        sub.disposable = attempt.connection();
        return attempt.up();
    }

    /** Connects all, at most concurrency handshakes at a time; returns how many succeeded. */
    int connectAll(
            List<Sub> subs,
            java.util.function.IntFunction<String> queryOf,
            int concurrency,
            Duration eachTimeout,
            Duration overall) {
        Long ok = Flux.range(0, subs.size())
                .flatMap(i -> connect(subs.get(i), queryOf.apply(i), eachTimeout), Math.max(1, concurrency))
                .filter(b -> b)
                .count()
                .block(overall);
        return ok == null ? 0 : ok.intValue();
    }

    /** Closes all and waits (bounded) until their channels are inactive. */
    static int closeAll(List<Sub> subs, Duration wait) {
        for (Sub s : subs) {
            s.close();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        int open;
        do {
            open = 0;
            for (Sub s : subs) {
                if (s.connected && !s.closed) {
                    open++;
                }
            }
            if (open == 0) {
                return 0;
            }
            sleep(50);
        } while (System.nanoTime() < deadline);
        return open;
    }

    static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
