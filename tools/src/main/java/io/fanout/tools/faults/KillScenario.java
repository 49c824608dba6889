package io.fanout.tools.faults;

import static io.fanout.tools.faults.Say.fmt;
import static io.fanout.tools.faults.Say.say;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fault kill}: fanout-service gets kill -9 under load while many followers read one channel; a fresh one is
 * started on the same port and every follower resumes from its last offset. Checks that every acked event reached
 * every follower exactly once.
 */
@Command(
        name = "kill",
        mixinStandardHelpOptions = true,
        description = "fanout-service gets kill -9 under load and is restarted (infra/faults/kill-fanout).")
final class KillScenario implements Callable<Integer> {

    private static final String CHANNEL = "faults-kill";

    @Mixin
    Ports ports;

    @Mixin
    LoadOptions load;

    @Option(
            names = "--subscribers",
            defaultValue = "20",
            description = "WebSocket followers (default: ${DEFAULT-VALUE})")
    int subscribers;

    @Option(
            names = "--after",
            defaultValue = "15",
            description = "seconds of publishing after the followers are back (default: ${DEFAULT-VALUE})")
    int after;

    @Option(names = "--fanout-pid", required = true, description = "the fanout-service JVM")
    long fanoutPid;

    @Override
    public Integer call() throws Exception {
        FollowedLoad run = FollowedLoad.connect(ports, CHANNEL, load.rate, subscribers);
        List<Follower> followers = run.followers;
        SteadyPublisher publisher = run.publisher;
        say(
                "publishing %d/s to %s with %d followers; fanout-service (pid %d) gets kill -9 in %ds",
                load.rate, CHANNEL, subscribers, fanoutPid, load.warmup);
        long start = run.startPublishing(load.warmup);

        // back = every follower connected again after the kill; a follower's socket may still look open for a
        // moment after the kill (its end not yet noticed), so count connects rather than ask whether it is open
        int[] connectsBefore =
                followers.stream().mapToInt(f -> f.connects.get()).toArray();
        ProcessHandle victim = ProcessHandle.of(fanoutPid)
                .orElseThrow(() -> new IllegalStateException("no fanout-service pid " + fanoutPid));
        long killAt = System.nanoTime();
        new ProcessBuilder("kill", "-KILL", Long.toString(fanoutPid))
                .inheritIO()
                .start()
                .waitFor();
        victim.onExit().get(30, TimeUnit.SECONDS);
        say("fanout-service killed; starting a fresh one: %s", load.restartCmd);
        Shell.start(load.restartCmd);
        long restartAt = System.nanoTime();
        long backAt = Clock.awaitUntil(
                () -> reconnected(followers, connectsBefore), restartAt + TimeUnit.SECONDS.toNanos(180), 100);
        say(
                backAt > 0
                        ? "all followers reconnected; publishing %ds more"
                        : "followers NOT back within 180s; publishing %ds more",
                after);
        List<PublishResult> all = run.stopAfter(after);
        List<PublishResult> acked = run.awaitDelivered(all, 60);

        Timeline.print(all, start, killAt, restartAt);
        Map<Integer, Integer> notAckedStatuses = new TreeMap<>();
        all.stream().filter(r -> !r.ok()).forEach(r -> notAckedStatuses.merge(r.status, 1, Integer::sum));
        long ackedDuringGap =
                acked.stream().filter(r -> r.sent >= killAt && r.sent < backAt).count();
        Deliveries.Count d = Deliveries.count(acked, followers);
        long outOfOrder = 0;
        long connects = 0;
        Map<String, Integer> closes = new TreeMap<>();
        for (Follower f : followers) {
            outOfOrder += f.outOfOrder.get();
            connects += f.connects.get();
            f.closes().forEach((k, v) -> closes.merge(k, v, Integer::sum));
        }
        long notOk = all.size() - acked.size();
        System.out.println(fmt(
                "published=%d acked=%d not_acked=%d not_acked_statuses=%s skipped_client_busy=%d "
                        + "acked_while_fanout_down=%d followers=%d "
                        + "reconnected_after_s=%.1f expected_deliveries=%d lost=%d duplicated=%d out_of_order=%d "
                        + "ws_connects=%d ws_closes=%s",
                all.size(),
                acked.size(),
                notOk,
                notAckedStatuses.toString().replace(" ", ""),
                publisher.skipped(),
                ackedDuringGap,
                subscribers,
                backAt > 0 ? (backAt - killAt) / 1e9 : -1,
                (long) acked.size() * subscribers,
                d.lost(),
                d.duplicated(),
                outOfOrder,
                connects,
                closes.toString().replace(" ", "")));
        boolean pass = backAt > 0 && d.lost() == 0 && d.duplicated() == 0 && notOk == 0 && !acked.isEmpty();
        say(pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }

    private static boolean reconnected(List<Follower> followers, int[] connectsBefore) {
        for (int i = 0; i < followers.size(); i++) {
            Follower f = followers.get(i);
            if (f.connects.get() <= connectsBefore[i] || !f.isOpen()) {
                return false;
            }
        }
        return true;
    }
}
