package io.fanout.tools.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServer;

/** Against a real HTTP server on 127.0.0.1 (Reactor Netty) that counts the connections it sees open and close. */
class RawHttpTest {

    private static final Duration WAIT = LoopbackServer.WAIT;

    @RegisterExtension
    final LoopbackServer net = new LoopbackServer("raw-http-test");

    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();

    private RawHttp client() {
        String address = net.start(HttpServer.create()
                .doOnConnection(connection -> {
                    opened.incrementAndGet();
                    connection.onDispose(closed::incrementAndGet);
                })
                .handle((request, response) -> response.sendString(Mono.just("ok"))));
        return new RawHttp(net.loops().onClient(false), "http://" + address, 4);
    }

    @Test
    void shouldKeepConnectionsOpenUntilClosedAndThenCloseThem() {
        RawHttp http = client();
        CompletableFuture<RawHttp.Resp> first = http.get("/");
        CompletableFuture<RawHttp.Resp> second = http.get("/");
        assertThat(first.join().status()).isEqualTo(200);
        assertThat(second.join().status()).isEqualTo(200);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> closed.get() == 0); // kept open
        int kept = opened.get();
        assertThat(kept).isBetween(1, 2);

        http.close();

        await().atMost(WAIT).until(() -> closed.get() == kept);
        assertThat(http.get("/").join().status()).isEqualTo(200); // still answered, on a connection of its own
        await().atMost(WAIT).until(() -> closed.get() == kept + 1);
        assertThat(opened.get()).isEqualTo(kept + 1);
    }
}
