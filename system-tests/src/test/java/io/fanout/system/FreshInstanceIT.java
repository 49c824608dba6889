package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.testsupport.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The failover path: a client resumes with {@code from=} on an instance that is still starting, the moment its port
 * opens, while events keep being published. It gets every event from its cursor on, with no gap between the history
 * read at connect time and where the (still settling) live consumer starts.
 */
class FreshInstanceIT {

    private final Platform platform = Platform.get();
    private final Publisher publisher = new Publisher(platform);

    @Test
    void shouldLoseNothingResumingOnAnInstanceTheMomentItsPortOpens() throws Exception {
        String channel = "fresh." + UUID.randomUUID();
        List<JsonNode> first = publisher.numbers(channel, 0, 10, 10);
        long from = first.get(0).get("offset").longValue();
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicInteger published = new AtomicInteger(10);
        CompletableFuture<Void> publisherLoop = CompletableFuture.runAsync(() -> {
            while (publishing.get()) {
                int next = published.get();
                publisher.numbers(channel, next, next + 5, 5);
                published.addAndGet(5);
            }
        });
        try (FanoutProcess fresh = FanoutProcess.launch(platform.fanoutArgs())) {
            // try again at once until it answers: the point is to be there the moment the port opens
            WsTestClient socket = await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(1))
                    .ignoreExceptions()
                    .until(() -> connectWhenListening(fresh, channel, from), connected -> connected != null);
            try (WsTestClient connected = socket) {
                // keep publishing a while after connecting, across the live consumer's settling
                int target = published.get() + 200;
                await().atMost(Duration.ofSeconds(120)).until(() -> published.get() >= target);
                publishing.set(false);
                publisherLoop.join();
                int total = published.get();
                List<Integer> received = new ArrayList<>();
                for (String frame : connected.take(total, Duration.ofSeconds(120))) {
                    received.add(Json.parse(frame).get("message").intValue());
                }
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < total; i++) {
                    expected.add(i);
                }
                assertThat(received).containsExactlyElementsOf(expected);
            }
        } finally {
            publishing.set(false);
        }
    }

    /** A socket to the starting instance, or an exception while its port is not open yet (a probe connects first). */
    private static WsTestClient connectWhenListening(FanoutProcess fresh, String channel, long from) throws Exception {
        try (java.net.Socket probe = new java.net.Socket("127.0.0.1", fresh.port())) {
            return WsTestClient.connect(fresh.events("channel=" + channel + "&from=" + from));
        }
    }
}
