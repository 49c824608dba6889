package io.fanout.tools.faults;

import static io.fanout.tools.faults.Say.fmt;
import static io.fanout.tools.faults.Say.say;

import io.fanout.tools.net.WsConnector;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.netty.resources.LoopResources;

/**
 * {@code measure regions}: publishes numbered events at a steady rate in region 1 and measures how long they take
 * to reach region 2: the replication lag (acked in region 1 → readable in region 2's mirror topic, read by a plain
 * Kafka consumer there) and publish → deliver (sent to region 1's ingest → frame on a WebSocket of region 2's
 * fan-out), beside publish → deliver within region 1; and the move of a client between regions: a third follower,
 * on region 1 with region 2 next in its list, loses its connection halfway through the measured window and resumes
 * in region 2 by its last cursor (how long until its socket is open there, and until its first event). Every acked
 * event must reach every follower exactly once.
 */
@Command(
        name = "regions",
        mixinStandardHelpOptions = true,
        description = "Replication lag and publish-in-1 -> deliver-in-2 latency (infra/measure-regions).")
final class RegionsMeasurement implements Callable<Integer> {

    private static final String CHANNEL = "measure-regions";

    @Option(
            names = "--ingest-port",
            defaultValue = "8080",
            description = "region 1's ingest (default: ${DEFAULT-VALUE})")
    int ingestPort;

    @Option(
            names = "--local-fanout-port",
            defaultValue = "8081",
            description = "region 1's fan-out (default: ${DEFAULT-VALUE})")
    int localFanoutPort;

    @Option(
            names = "--remote-fanout-port",
            defaultValue = "8181",
            description = "a fan-out of region 2 that serves region 1's events (default: ${DEFAULT-VALUE})")
    int remoteFanoutPort;

    @Option(
            names = "--remote-kafka",
            defaultValue = "127.0.0.1:9192",
            description = "region 2's Kafka (default: ${DEFAULT-VALUE})")
    String remoteKafka;

    @Option(
            names = "--mirror-topic",
            defaultValue = "r1.fanout.events",
            description = "region 1's events topic as mirrored into region 2 (default: ${DEFAULT-VALUE})")
    String mirrorTopic;

    @Option(names = "--rate", defaultValue = "50", description = "publishes per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(
            names = "--warmup",
            defaultValue = "10",
            description = "seconds of publishing not counted (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "--seconds",
            defaultValue = "30",
            description = "seconds of publishing measured (default: ${DEFAULT-VALUE})")
    int seconds;

    @Override
    public Integer call() throws Exception {
        LoopResources loops = Loops.create(2);
        EventLoopGroup group = loops.onClient(false);
        ScheduledExecutorService retry = Executors.newScheduledThreadPool(2);
        Follower local = new Follower(new WsConnector(loops, "ws://127.0.0.1:" + localFanoutPort, 10), retry, CHANNEL);
        Follower remote =
                new Follower(new WsConnector(loops, "ws://127.0.0.1:" + remoteFanoutPort, 10), retry, CHANNEL);
        Follower mover = new Follower(
                List.of(
                        new WsConnector(loops, "ws://127.0.0.1:" + localFanoutPort, 10),
                        new WsConnector(loops, "ws://127.0.0.1:" + remoteFanoutPort, 10)),
                0,
                retry,
                CHANNEL);
        List<Follower> followers = List.of(local, remote, mover);
        followers.forEach(Follower::connect);
        for (Follower f : followers) {
            f.awaitOpen(Duration.ofSeconds(30));
        }
        Ports ports = new Ports();
        ports.ingest = ingestPort;
        ports.fanout = localFanoutPort;
        SteadyPublisher publisher = new SteadyPublisher(group, ports, CHANNEL, rate);
        try (MirrorWatch mirror = new MirrorWatch(remoteKafka, mirrorTopic)) {
            say("waiting until a probe published in region 1 reaches both followers");
            Deliveries.sync(publisher, followers);
            say("publishing %d/s to %s for %ds (the first %ds not counted)", rate, CHANNEL, warmup + seconds, warmup);
            long start = System.nanoTime();
            publisher.start();
            Clock.sleepSeconds(warmup + seconds / 2);
            say("dropping the moving follower's connection to region 1: it resumes in region 2 by cursor");
            long droppedAt = System.nanoTime();
            mover.dropConnection();
            Clock.sleepSeconds(seconds - seconds / 2);
            publisher.stop();
            long measuredFrom = start + Duration.ofSeconds(warmup).toNanos();

            List<PublishResult> all = publisher.results();
            List<PublishResult> acked = all.stream().filter(PublishResult::ok).toList();
            say("%d publishes, %d acked; waiting for their delivery in both regions", all.size(), acked.size());
            Deliveries.await(acked, followers, 60);
            Clock.awaitUntil(
                    () -> acked.stream().allMatch(r -> mirror.arrivedAt.containsKey(r.n)),
                    System.nanoTime() + Duration.ofSeconds(30).toNanos(),
                    200);
            followers.forEach(Follower::stop);
            retry.shutdownNow();

            List<Double> replication = new ArrayList<>();
            List<Double> localDelivery = new ArrayList<>();
            List<Double> remoteDelivery = new ArrayList<>();
            for (PublishResult r : acked) {
                if (r.sent < measuredFrom) {
                    continue;
                }
                Long mirrored = mirror.arrivedAt.get(r.n);
                if (mirrored != null) {
                    replication.add((mirrored - r.done) / 1e6);
                }
                Long here = local.firstSeenAt.get(r.n);
                if (here != null) {
                    localDelivery.add((here - r.sent) / 1e6);
                }
                Long there = remote.firstSeenAt.get(r.n);
                if (there != null) {
                    remoteDelivery.add((there - r.sent) / 1e6);
                }
            }
            Deliveries.Count inRegion1 = Deliveries.count(acked, List.of(local));
            Deliveries.Count inRegion2 = Deliveries.count(acked, List.of(remote));
            Deliveries.Count moved = Deliveries.count(acked, List.of(mover));
            boolean movedByCursor = mover.target() == 1 && mover.cursorResumes.get() > 0;
            double moveOpenMs = (mover.openedAt - droppedAt) / 1e6;
            double moveFirstEventMs =
                    mover.firstEventAfterOpenAt == 0 ? -1 : (mover.firstEventAfterOpenAt - droppedAt) / 1e6;
            long notMirrored = acked.stream()
                    .filter(r -> !mirror.arrivedAt.containsKey(r.n))
                    .count();
            System.out.println(fmt(
                    "rate=%d measured_s=%d published=%d acked=%d measured=%d not_mirrored=%d %s %s %s "
                            + "lost_r1=%d duplicated_r1=%d lost_r2=%d duplicated_r2=%d "
                            + "move_r1_to_r2_by_cursor=%s move_open_ms=%.0f move_first_event_ms=%.0f "
                            + "lost_moved=%d duplicated_moved=%d out_of_order_moved=%d",
                    rate,
                    seconds,
                    all.size(),
                    acked.size(),
                    replication.size(),
                    notMirrored,
                    Percentiles.of(replication).format("replication_lag"),
                    Percentiles.of(localDelivery).format("publish_to_deliver_r1"),
                    Percentiles.of(remoteDelivery).format("publish_in_r1_to_deliver_in_r2"),
                    inRegion1.lost(),
                    inRegion1.duplicated(),
                    inRegion2.lost(),
                    inRegion2.duplicated(),
                    movedByCursor,
                    moveOpenMs,
                    moveFirstEventMs,
                    moved.lost(),
                    moved.duplicated(),
                    mover.outOfOrder.get()));
            boolean pass = !acked.isEmpty()
                    && acked.size() == all.size()
                    && notMirrored == 0
                    && inRegion1.lost() + inRegion1.duplicated() + inRegion2.lost() + inRegion2.duplicated() == 0
                    && movedByCursor
                    && moved.lost() + moved.duplicated() + mover.outOfOrder.get() == 0;
            say(pass ? "PASS" : "FAIL");
            return pass ? 0 : 1;
        }
    }
}
