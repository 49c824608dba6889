package io.fanout.tools.faults;

import static io.fanout.tools.faults.Say.fmt;
import static io.fanout.tools.faults.Say.say;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fault outage}: Kafka goes away under a steady publish load with a live WebSocket follower, and comes back.
 * Checks 503 + Retry-After during the outage, no request without an answer, both health endpoints DOWN then UP,
 * publishing resuming by itself, and every acked event delivered once.
 */
@Command(
        name = "outage",
        mixinStandardHelpOptions = true,
        description = "Kafka gets SIGTERM under load and is restarted after the outage (infra/faults/kafka-outage).")
final class OutageScenario implements Callable<Integer> {

    private static final String CHANNEL = "faults-outage";

    @Mixin
    Ports ports;

    @Mixin
    LoadOptions load;

    @Option(
            names = "--outage",
            defaultValue = "20",
            description = "seconds from SIGTERM to restart (default: ${DEFAULT-VALUE})")
    int outage;

    @Option(
            names = "--after",
            defaultValue = "10",
            description = "seconds of publishing after recovery (default: ${DEFAULT-VALUE})")
    int after;

    @Option(names = "--kafka-pid", required = true, description = "the kafka.Kafka process")
    long kafkaPid;

    @Override
    public Integer call() throws Exception {
        FollowedLoad run = FollowedLoad.connect(ports, CHANNEL, load.rate, 1);
        Follower follower = run.followers.get(0);
        SteadyPublisher publisher = run.publisher;
        HealthWatch ingestHealth = new HealthWatch(run.group, ports.ingest);
        HealthWatch fanoutHealth = new HealthWatch(run.group, ports.fanout);

        say(
                "publishing %d/s to %s; Kafka (pid %d) goes down in %ds for %ds",
                load.rate, CHANNEL, kafkaPid, load.warmup, outage);
        long start = run.startPublishing(load.warmup);

        ProcessHandle kafka =
                ProcessHandle.of(kafkaPid).orElseThrow(() -> new IllegalStateException("no Kafka pid " + kafkaPid));
        long stopAt = System.nanoTime();
        say("SIGTERM to Kafka (pid %d)", kafkaPid);
        kafka.destroy();
        kafka.onExit().get(90, TimeUnit.SECONDS);
        say("Kafka exited after %.1fs; outage of %ds from the SIGTERM", (System.nanoTime() - stopAt) / 1e9, outage);
        Clock.sleepUntil(stopAt + TimeUnit.SECONDS.toNanos(outage));

        long restartAt = System.nanoTime();
        say("restarting Kafka: %s", load.restartCmd);
        Shell.start(load.restartCmd);
        // recovered: a publish sent after the restart was acked and both services are healthy again
        long recoveredAt = Clock.awaitUntil(
                () -> publisher.firstOkAfter(restartAt) > 0
                        && ingestHealth.lastStatus() == 200
                        && fanoutHealth.lastStatus() == 200,
                restartAt + TimeUnit.SECONDS.toNanos(180),
                100);
        say(
                recoveredAt > 0 ? "recovered; publishing %ds more" : "NOT recovered within 180s; publishing %ds more",
                after);
        List<PublishResult> all = run.stopAfter(after);
        ingestHealth.stop();
        fanoutHealth.stop();
        List<PublishResult> acked = run.awaitDelivered(all, 30);
        Timeline.print(all, start, stopAt, restartAt);

        OutageStatuses s = OutageStatuses.of(all, stopAt, restartAt);
        Deliveries.Count d = Deliveries.count(acked, List.of(follower));
        long deliveredAfterRestart =
                follower.deliveredAt.stream().filter(t -> t >= restartAt).count();
        long firstOk = publisher.firstOkAfter(restartAt);
        System.out.println(fmt(
                "outage_s=%.1f published=%d acked_before=%d acked_during=%d acked_after=%d sent_during=%d "
                        + "503_total=%d 503_sent_during_outage=%d 503_without_retry_after=%d 429=%d other_status=%d "
                        + "no_answer=%d max_request_ms_during_outage=%.0f max_request_ms=%.0f "
                        + "server_max_push_ms_during_outage=%.0f skipped_client_busy=%d "
                        + "ingest_down_after_s=%.1f fanout_down_after_s=%.1f health_503_bodies_DOWN=%d "
                        + "first_ack_after_restart_s=%.1f ingest_up_after_restart_s=%.1f fanout_up_after_restart_s=%.1f "
                        + "recovery_s=%.1f delivered=%d delivered_after_restart=%d lost=%d duplicated=%d out_of_order=%d "
                        + "unacked_but_delivered=%d ws_connects=%d ws_closes=%s",
                (restartAt - stopAt) / 1e9,
                all.size(),
                s.ackedBefore(),
                s.ackedDuring(),
                s.ackedAfter(),
                s.sentDuring(),
                s.s503(),
                s.s503During(),
                s.s503NoRetryAfter(),
                s.s429(),
                s.other(),
                s.noAnswer(),
                s.maxMillisDuring(),
                s.maxMillis(),
                ingestHealth.serverPushMax(stopAt, restartAt + TimeUnit.SECONDS.toNanos(5)) * 1000,
                publisher.skipped(),
                ingestHealth.firstAfter(stopAt, 503),
                fanoutHealth.firstAfter(stopAt, 503),
                ingestHealth.downWithDownBody() + fanoutHealth.downWithDownBody(),
                firstOk > 0 ? (firstOk - restartAt) / 1e9 : -1,
                ingestHealth.firstAfter(restartAt, 200),
                fanoutHealth.firstAfter(restartAt, 200),
                recoveredAt > 0 ? (recoveredAt - restartAt) / 1e9 : -1,
                follower.frames.get(),
                deliveredAfterRestart,
                d.lost(),
                d.duplicated(),
                follower.outOfOrder.get(),
                d.unackedDelivered(),
                follower.connects.get(),
                follower.closes().toString().replace(" ", "")));
        boolean pass = recoveredAt > 0
                && d.lost() == 0
                && d.duplicated() == 0
                && s.noAnswer() == 0
                && s.other() == 0
                && s.s503NoRetryAfter() == 0
                && !acked.isEmpty()
                && s.ackedAfter() > 0;
        say(pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }
}
