package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
            JdkWebSocket socket = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (socket == null && System.nanoTime() < deadline) {
                try (java.net.Socket probe = new java.net.Socket("127.0.0.1", fresh.port())) {
                    socket = JdkWebSocket.open(fresh.events("channel=" + channel + "&from=" + from));
                } catch (Exception notListeningYet) {
                    // try again at once: the point is to be there the moment the port opens
                }
            }
            assertThat(socket).as("connected to the starting instance").isNotNull();
            try (JdkWebSocket connected = socket) {
                // keep publishing a while after connecting, across the live consumer's settling
                int target = published.get() + 200;
                await().atMost(Duration.ofSeconds(120)).until(() -> published.get() >= target);
                publishing.set(false);
                publisherLoop.join();
                int total = published.get();
                List<Integer> received = new ArrayList<>();
                long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (received.size() < total && System.nanoTime() < until) {
                    String frame = connected.frames.poll(1, TimeUnit.SECONDS);
                    if (frame != null) {
                        received.add(Json.parse(frame).get("message").intValue());
                    }
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
}
