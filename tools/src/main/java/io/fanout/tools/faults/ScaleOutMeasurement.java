package io.fanout.tools.faults;

import static io.fanout.tools.faults.Say.fmt;
import static io.fanout.tools.faults.Say.say;

import io.fanout.tools.net.WsConnector;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.netty.resources.LoopResources;

/**
 * {@code measure scale-out}: spreads followers of one channel round-robin over the given fan-out instances, publishes
 * at a steady rate and counts deliveries per second and publish → deliver latency; then, with {@code --kill-pid},
 * gives one instance kill -9 under that load: its followers move on to the next instance in the list (by the
 * frame's {@code cursor} when the frames carry one, else by {@code from=}) while publishing goes on. Every acked
 * event must reach every follower exactly once.
 */
@Command(
        name = "scale-out",
        mixinStandardHelpOptions = true,
        description = "Followers spread over fan-out instances, one of them killed (infra/measure-scale-out).")
final class ScaleOutMeasurement implements Callable<Integer> {

    private static final String CHANNEL = "measure-scale-out";

    @Option(names = "--ingest-port", defaultValue = "8080", description = "ingest's port (default: ${DEFAULT-VALUE})")
    int ingestPort;

    @Option(
            names = "--fanout-ports",
            split = ",",
            defaultValue = "8081",
            description = "the fan-out instances, comma-separated (default: ${DEFAULT-VALUE})")
    List<Integer> fanoutPorts;

    @Option(
            names = "--subscribers",
            defaultValue = "300",
            description = "WebSocket followers in all (default: ${DEFAULT-VALUE})")
    int subscribers;

    @Option(names = "--rate", defaultValue = "100", description = "publishes per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(
            names = "--seconds",
            defaultValue = "20",
            description = "seconds of publishing measured before any kill (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(
            names = "--warmup",
            defaultValue = "5",
            description = "seconds of publishing not measured (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--kill-pid", description = "the fan-out JVM to kill -9 after the measured seconds")
    Long killPid;

    @Option(
            names = "--kill-port",
            description = "the port of the instance --kill-pid is (one of --fanout-ports); its followers move on")
    Integer killPort;

    @Option(
            names = "--after",
            defaultValue = "15",
            description = "seconds of publishing after the moved followers are back (default: ${DEFAULT-VALUE})")
    int after;

    @Override
    public Integer call() throws Exception {
        if ((killPid == null) != (killPort == null) || (killPort != null && !fanoutPorts.contains(killPort))) {
            throw new IllegalArgumentException(
                    "--kill-pid and --kill-port go together, the port one of --fanout-ports");
        }
        LoopResources loops = Loops.create(2);
        EventLoopGroup group = loops.onClient(false);
        ScheduledExecutorService retry = Executors.newScheduledThreadPool(2);
        List<WsConnector> connectors = new ArrayList<>();
        for (int port : fanoutPorts) {
            connectors.add(new WsConnector(loops, "ws://127.0.0.1:" + port, subscribers));
        }
        List<Follower> followers = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            Follower f = new Follower(connectors, i, retry, CHANNEL);
            followers.add(f);
            f.connect();
        }
        for (Follower f : followers) {
            f.awaitOpen(Duration.ofSeconds(60));
        }
        Ports ports = new Ports();
        ports.ingest = ingestPort;
        ports.fanout = fanoutPorts.get(0);
        SteadyPublisher publisher = new SteadyPublisher(group, ports, CHANNEL, rate);
        Deliveries.sync(publisher, followers);
        say(
                "%d followers over %d fan-out instance(s) %s; publishing %d/s for %ds (+%ds warm-up)",
                subscribers, fanoutPorts.size(), fanoutPorts, rate, seconds, warmup);
        long start = System.nanoTime();
        publisher.start();
        long measuredFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long measuredTo = measuredFrom + TimeUnit.SECONDS.toNanos(seconds);
        Clock.sleepUntil(measuredTo);
        long deliveries = 0;
        for (Follower f : followers) {
            deliveries += f.deliveredAt.stream()
                    .filter(t -> t >= measuredFrom && t < measuredTo)
                    .count();
        }
        double deliveriesPerSecond = deliveries / (double) seconds;
        Map<Integer, Integer> connections = new TreeMap<>();
        for (Follower f : followers) {
            connections.merge(fanoutPorts.get(f.target()), 1, Integer::sum);
        }

        long killAt = 0;
        long backAt = 0;
        List<Double> resume = new ArrayList<>();
        List<Follower> moved = new ArrayList<>();
        if (killPid != null) {
            int victim = fanoutPorts.indexOf(killPort);
            for (Follower f : followers) {
                if (f.target() == victim) {
                    moved.add(f);
                }
            }
            int[] connectsBefore =
                    moved.stream().mapToInt(f -> f.connects.get()).toArray();
            ProcessHandle process =
                    ProcessHandle.of(killPid).orElseThrow(() -> new IllegalStateException("no process " + killPid));
            say("kill -9 of the fan-out on port %d (pid %d), %d followers on it", killPort, killPid, moved.size());
            killAt = System.nanoTime();
            new ProcessBuilder("kill", "-KILL", Long.toString(killPid))
                    .inheritIO()
                    .start()
                    .waitFor();
            process.onExit().get(30, TimeUnit.SECONDS);
            backAt = Clock.awaitUntil(
                    () -> {
                        for (int i = 0; i < moved.size(); i++) {
                            Follower f = moved.get(i);
                            if (f.connects.get() <= connectsBefore[i] || !f.isOpen()) {
                                return false;
                            }
                        }
                        return true;
                    },
                    killAt + TimeUnit.SECONDS.toNanos(120),
                    20);
            for (Follower f : moved) {
                resume.add((f.openedAt - killAt) / 1e6);
            }
            say(
                    backAt > 0
                            ? "all moved followers reconnected; publishing %ds more"
                            : "moved followers NOT back; %ds more",
                    after);
            Clock.sleepSeconds(after);
        }
        publisher.stop();

        List<PublishResult> all = publisher.results();
        List<PublishResult> acked = all.stream().filter(PublishResult::ok).toList();
        say("%d publishes, %d acked; waiting for their delivery", all.size(), acked.size());
        Deliveries.await(acked, followers, 90);
        followers.forEach(Follower::stop);
        retry.shutdownNow();

        List<Double> latency = new ArrayList<>();
        for (PublishResult r : acked) {
            if (r.sent < measuredFrom || r.sent >= measuredTo) {
                continue;
            }
            for (Follower f : followers) {
                Long at = f.firstSeenAt.get(r.n);
                if (at != null) {
                    latency.add((at - r.sent) / 1e6);
                }
            }
        }
        Deliveries.Count d = Deliveries.count(acked, followers);
        long cursorResumes =
                followers.stream().mapToLong(f -> f.cursorResumes.get()).sum();
        long outOfOrder = followers.stream().mapToLong(f -> f.outOfOrder.get()).sum();
        System.out.println(fmt(
                "instances=%d subscribers=%d connections=%s rate=%d measured_s=%d deliveries_per_s=%.0f %s "
                        + "killed=%s moved=%d all_back_after_s=%.2f %s cursor_resumes=%d "
                        + "published=%d acked=%d expected_deliveries=%d lost=%d duplicated=%d out_of_order=%d",
                fanoutPorts.size(),
                subscribers,
                connections.toString().replace(" ", ""),
                rate,
                seconds,
                deliveriesPerSecond,
                Percentiles.of(latency).format("publish_to_deliver"),
                killPort == null ? "none" : killPort,
                moved.size(),
                backAt > 0 ? (backAt - killAt) / 1e9 : -1.0,
                Percentiles.of(resume).format("resume"),
                cursorResumes,
                all.size(),
                acked.size(),
                (long) acked.size() * subscribers,
                d.lost(),
                d.duplicated(),
                outOfOrder));
        boolean pass = !acked.isEmpty()
                && acked.size() == all.size()
                && d.lost() == 0
                && d.duplicated() == 0
                && (killPid == null || backAt > 0);
        say(pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }
}
