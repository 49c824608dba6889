package io.fanout.tools.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/** Against a real HTTP server on 127.0.0.1 (Reactor Netty) that counts the connections it sees open and close. */
class RawHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final LoopResources loops = LoopResources.create("raw-http-test", 1, true);
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private DisposableServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow();
        }
        loops.disposeLater().block(WAIT);
    }

    private RawHttp client() {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .doOnConnection(connection -> {
                    opened.incrementAndGet();
                    connection.onDispose(closed::incrementAndGet);
                })
                .handle((request, response) -> response.sendString(Mono.just("ok")))
                .bindNow(WAIT);
        return new RawHttp(loops.onClient(false), "http://127.0.0.1:" + server.port(), 4);
    }

    private static RawHttp.Resp get(RawHttp http) {
        CompletableFuture<RawHttp.Resp> answer = new CompletableFuture<>();
        http.get("/", answer::complete);
        return answer.join();
    }

    @Test
    void shouldKeepConnectionsOpenUntilClosedAndThenCloseThem() {
        RawHttp http = client();
        CompletableFuture<RawHttp.Resp> first = new CompletableFuture<>();
        CompletableFuture<RawHttp.Resp> second = new CompletableFuture<>();
        http.get("/", first::complete);
        http.get("/", second::complete);
        assertThat(first.join().status()).isEqualTo(200);
        assertThat(second.join().status()).isEqualTo(200);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> closed.get() == 0); // kept open
        int kept = opened.get();
        assertThat(kept).isBetween(1, 2);

        http.close();

        await().atMost(WAIT).until(() -> closed.get() == kept);
        assertThat(get(http).status()).isEqualTo(200); // still answered, on a connection of its own
        await().atMost(WAIT).until(() -> closed.get() == kept + 1);
        assertThat(opened.get()).isEqualTo(kept + 1);
    }
}
