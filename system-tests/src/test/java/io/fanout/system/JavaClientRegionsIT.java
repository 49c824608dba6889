package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.client.Event;
import io.fanout.client.FanoutClient;
import io.fanout.client.StateChange;
import io.fanout.client.StateChange.State;
import io.fanout.client.SubscribeOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The Java client between two regions on real brokers (two in-process KRaft clusters, MirrorMaker 2 both ways, both
 * services per region, {@link TwoRegions}): a client given a region-1 fan-out instance and region 2's,
 * whose region-1 instance is killed with SIGKILL mid-stream, carries on in region 2 by its cursor while both regions
 * publish, and gets every event of both regions exactly once, each region's in publish order.
 */
class JavaClientRegionsIT {

    private static final int PARTITIONS = 4;
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static TwoRegions regions;
    private static String topic;
    private static Platform region1;
    private static Platform region2;

    @BeforeAll
    static void startTwoRegions() {
        regions = TwoRegions.start("fanout.events.client-regions", PARTITIONS);
        topic = regions.topic();
        region1 = regions.region1();
        region2 = regions.region2();
    }

    @AfterAll
    static void stopTwoRegions() {
        if (regions != null) {
            regions.close();
        }
    }

    private static FanoutClient publisher(Platform region) {
        return FanoutClient.builder()
                .ingestUrl("http://127.0.0.1:" + region.ingestPort())
                .build();
    }

    /** Publishes {"region": r, "n": from..to-1} in each region, alternating. */
    private static void publishInBoth(String channel, int from, int to) {
        FanoutClient inRegion1 = publisher(region1);
        FanoutClient inRegion2 = publisher(region2);
        for (int n = from; n < to; n++) {
            inRegion1.publish(channel, Map.of("region", "r1", "n", n), null).block(WAIT);
            inRegion2.publish(channel, Map.of("region", "r2", "n", n), null).block(WAIT);
        }
    }

    private static List<Integer> numbers(List<Event> events, String region) {
        return events.stream()
                .filter(e -> e.message().get("region").asString().equals(region))
                .map(e -> e.message().get("n").asInt())
                .toList();
    }

    @Test
    void shouldMoveToTheOtherRegionByCursorWhenItsInstanceIsKilledWithNothingLostOrRepeated() throws Exception {
        FanoutProcess region1Instance = region1.startAnotherFanout();
        try {
            String region2Url = "ws://127.0.0.1:" + region2.fanoutPort();
            FanoutClient client = FanoutClient.builder()
                    .urls(region1Instance.url(), region2Url)
                    .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                    .cursorAhead(2, Duration.ofMillis(200), Duration.ofSeconds(2))
                    .build();
            String channel = "regions." + UUID.randomUUID();
            List<Event> events = new CopyOnWriteArrayList<>();
            List<StateChange> states = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> error = new AtomicReference<>();
            Disposable subscription = client.subscribe(
                            List.of(channel), SubscribeOptions.live().onState(states::add))
                    .subscribe(events::add, error::set);
            try {
                await().atMost(WAIT).until(() -> states.stream().anyMatch(s -> s.state() == State.CONNECTED));
                publishInBoth(channel, 0, 10);
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(events)
                                .as("error %s, states %s", error.get(), states)
                                .hasSizeGreaterThanOrEqualTo(20));

                region1Instance.kill(); // SIGKILL: no close frame
                publishInBoth(channel, 10, 20); // both regions go on publishing while the client moves
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(error.get()).isNull();
                    assertThat(events).hasSizeGreaterThanOrEqualTo(40);
                });
                // the last events of each region come after any repeat of that region's earlier ones (each region's
                // events arrive in its order), so once both have arrived the list is complete
                publishInBoth(channel, 20, 25);
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(events)
                                .filteredOn(e -> e.message().get("n").asInt() == 24)
                                .hasSize(2));

                List<Integer> all = IntStream.range(0, 25).boxed().toList();
                assertThat(numbers(events, "r1"))
                        .as("region 1's events once, in order")
                        .isEqualTo(all);
                assertThat(numbers(events, "r2"))
                        .as("region 2's events once, in order")
                        .isEqualTo(all);
                assertThat(events).hasSize(50);
                List<StateChange> connections = states.stream()
                        .filter(s -> s.state() == State.CONNECTED)
                        .toList();
                assertThat(connections.get(0).url()).hasToString(region1Instance.url());
                StateChange last = connections.get(connections.size() - 1);
                assertThat(last.url()).hasToString(region2Url);
                assertThat(last.resumedFrom()).startsWith("cursor=1.");
                assertThat(events.get(events.size() - 1).cursor())
                        .contains("r1~")
                        .contains("r2~");
            } finally {
                subscription.dispose();
            }
        } finally {
            region1Instance.kill();
        }
    }
}
