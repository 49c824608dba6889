package io.fanout.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.tools.net.WsConnector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/** The follower against real WebSocket servers on 127.0.0.1, the first of which drops its first connection. */
class FollowerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final LoopResources loops = LoopResources.create("follower-test", 1, true);
    private final ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private DisposableServer server;
    private DisposableServer other;

    @AfterEach
    void stop() {
        retry.shutdownNow();
        server.disposeNow();
        if (other != null) {
            other.disposeNow();
        }
        loops.disposeLater().block(WAIT);
    }

    private static String event(long offset, long n) {
        return "{\"channel\":\"c\",\"partition\":0,\"offset\":" + offset + ",\"message\":{\"n\":" + n + "}}";
    }

    @Test
    void shouldResumeFromTheOffsetAfterTheLastOneItReceived() {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle((request, response) -> {
                    queries.add(request.uri());
                    boolean first = queries.size() == 1;
                    return response.sendWebsocket((in, out) -> first
                            ? out.sendString(Flux.just(event(0, 1), event(1, 2), event(2, 3)))
                                    .then(out.sendClose(1001, "going away"))
                                    .then(Mono.never())
                            : out.sendString(Flux.just(event(3, 4), event(4, 5)))
                                    .then()
                                    .then(Mono.never()));
                })
                .bindNow(WAIT);
        Follower follower = new Follower(new WsConnector(loops, "ws://127.0.0.1:" + server.port(), 10), retry, "c");

        follower.connect();

        await().atMost(WAIT).until(() -> follower.frames.get() == 5);
        assertThat(queries).containsExactly("/events?channel=c", "/events?channel=c&from=3");
        assertThat(follower.seen.keySet()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
        assertThat(follower.seen.values()).allMatch(count -> count.get() == 1);
        assertThat(follower.outOfOrder).hasValue(0);
        assertThat(follower.connects).hasValue(2);
        assertThat(follower.closes()).isEqualTo(Map.of("1001", 1));
        assertThat(follower.isOpen()).isTrue();
        follower.stop();
    }

    @Test
    void shouldMoveOnToTheNextInstanceAndResumeWithTheCursorOfTheLastFrame() {
        List<String> otherQueries = new CopyOnWriteArrayList<>();
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle((request, response) -> {
                    queries.add(request.uri());
                    return response.sendWebsocket((in, out) -> out.sendString(
                                    Flux.just(withCursor(event(0, 1), "r1:0:0"), withCursor(event(1, 2), "r1:0:1")))
                            .then(out.sendClose(1001, "going away"))
                            .then(Mono.never()));
                })
                .bindNow(WAIT);
        other = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle((request, response) -> {
                    otherQueries.add(request.uri());
                    return response.sendWebsocket((in, out) -> out.sendString(
                                    Flux.just(withCursor(event(2, 3), "r1:0:2")))
                            .then()
                            .then(Mono.never()));
                })
                .bindNow(WAIT);
        Follower follower = new Follower(
                List.of(
                        new WsConnector(loops, "ws://127.0.0.1:" + server.port(), 10),
                        new WsConnector(loops, "ws://127.0.0.1:" + other.port(), 10)),
                0,
                retry,
                "c");

        follower.connect();

        await().atMost(WAIT).until(() -> follower.frames.get() == 3);
        assertThat(queries).containsExactly("/events?channel=c");
        assertThat(otherQueries).containsExactly("/events?channel=c&cursor=r1%3A0%3A1");
        assertThat(follower.target()).isEqualTo(1);
        assertThat(follower.cursorResumes).hasValue(1);
        assertThat(follower.seen.keySet()).containsExactlyInAnyOrder(1L, 2L, 3L);
        follower.stop();
    }

    /** The frame with a {@code cursor} field added. */
    private static String withCursor(String frame, String cursor) {
        return frame.substring(0, frame.length() - 1) + ",\"cursor\":\"" + cursor + "\"}";
    }
}
