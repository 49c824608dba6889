package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.schemas.Topics;
import io.fanout.testsupport.TestKafka;
import io.fanout.testsupport.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewPartitions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Partitions added while subscribed: the producer moves the channel to another partition; a live subscriber and a
 * cursor subscriber both keep receiving every event of the channel, in order, across the move.
 */
class PartitionsAddedIT {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void shouldKeepDeliveringAChannelInOrderAcrossAPartitionChange() throws Exception {
        String channel = movingChannel();
        // clients refresh their metadata every second, so producer and consumers see the new partitions soon; no
        // channel directory: its Streams changelogs are co-partitioned with the topic, and a Streams application
        // whose source topic grows fails until it is reset (its stream thread's failure, logged while later tests
        // ran, failed their Awaitility waits, which report uncaught exceptions of any thread)
        try (Platform platform = Platform.start(
                "--spring.kafka.properties.metadata.max.age.ms=1000",
                "--fanout.subscribe.buffer-size=32",
                "--fanout.directory.enabled=false")) {
            Publisher publisher = new Publisher(platform);
            List<JsonNode> acks = new ArrayList<>(publisher.numbers(channel, 0, 20, 20));
            long from = acks.get(0).get("offset").longValue();
            try (WsTestClient live = WsTestClient.connect(platform.events("channel=" + channel));
                    WsTestClient cursor =
                            WsTestClient.connect(platform.events("channel=" + channel + "&from=" + from))) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() ->
                                live.controls().size() == 1 && cursor.controls().size() == 1); // both subscribed
                TestKafka.withAdmin(admin -> admin.createPartitions(Map.of(platform.topic, NewPartitions.increaseTo(8)))
                        .all()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .join());
                AtomicInteger next = new AtomicInteger(20);
                AtomicInteger movedAt = new AtomicInteger(-1);
                int oldPartition = acks.get(0).get("partition").intValue();
                // publish 5 at a time until the producer has moved the channel and 50 more were published there
                await().atMost(WAIT).pollInterval(Duration.ZERO).until(() -> {
                    List<JsonNode> batch = publisher.numbers(channel, next.get(), next.get() + 5, 5);
                    acks.addAll(batch);
                    next.addAndGet(5);
                    if (movedAt.get() < 0
                            && batch.get(batch.size() - 1).get("partition").intValue() != oldPartition) {
                        movedAt.set(next.get());
                    }
                    return movedAt.get() >= 0 && next.get() >= movedAt.get() + 50;
                });
                assertThat(movedAt.get())
                        .as("the producer moved the channel to another partition")
                        .isPositive();
                int total = next.get();
                List<String> liveFrames = live.take(total - 20, WAIT);
                for (int i = 0; i < total - 20; i++) {
                    assertThat(Json.parse(liveFrames.get(i)).get("message").intValue())
                            .as("live %d", i)
                            .isEqualTo(20 + i);
                }
                List<String> cursorFrames = cursor.take(total, WAIT);
                for (int i = 0; i < total; i++) {
                    assertThat(Json.parse(cursorFrames.get(i)).get("message").intValue())
                            .as("cursor %d", i)
                            .isEqualTo(i);
                }
            }
        }
    }

    /** A channel that the default partitioner puts in another partition once the topic grows from 4 to 8. */
    private static String movingChannel() {
        String channel;
        do {
            channel = "moving." + UUID.randomUUID();
        } while (Topics.partitionOf(channel, 4) == Topics.partitionOf(channel, 8));
        return channel;
    }
}
