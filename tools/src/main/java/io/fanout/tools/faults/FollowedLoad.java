package io.fanout.tools.faults;

import static io.fanout.tools.faults.Say.say;

import io.fanout.tools.net.WsConnector;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import reactor.netty.resources.LoopResources;

/**
 * The load a fault scenario breaks things under: WebSocket {@link Follower}s of one channel and a
 * {@link SteadyPublisher} to it, on event loops of their own. Made by {@link #connect} (every follower open and
 * seeing the publisher's probes), then {@link #startPublishing}, {@link #stopAfter}, {@link #awaitDelivered}, in
 * that order, from one thread.
 */
final class FollowedLoad {

    final EventLoopGroup group;
    final List<Follower> followers;
    final SteadyPublisher publisher;
    private final ScheduledExecutorService retry;

    private FollowedLoad(
            EventLoopGroup group, List<Follower> followers, SteadyPublisher publisher, ScheduledExecutorService retry) {
        this.group = group;
        this.followers = followers;
        this.publisher = publisher;
        this.retry = retry;
    }

    /** Connects {@code count} followers of {@code channel}, waits until each is open and sees what is published. */
    static FollowedLoad connect(Ports ports, String channel, int rate, int count) throws Exception {
        LoopResources loops = Loops.create(2);
        EventLoopGroup group = loops.onClient(false);
        ScheduledExecutorService retry = Executors.newScheduledThreadPool(Math.min(2, count));
        WsConnector connector = new WsConnector(loops, ports.fanoutWsUrl(), 1000);
        List<Follower> followers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Follower f = new Follower(connector, retry, channel);
            followers.add(f);
            f.connect();
        }
        for (Follower f : followers) {
            f.awaitOpen(Duration.ofSeconds(20));
        }
        SteadyPublisher publisher = new SteadyPublisher(group, ports, channel, rate);
        Deliveries.sync(publisher, followers);
        return new FollowedLoad(group, List.copyOf(followers), publisher, retry);
    }

    /** Starts publishing and returns once {@code warmupSeconds} have passed; returns when it started (nanoTime). */
    long startPublishing(int warmupSeconds) throws InterruptedException {
        long start = System.nanoTime();
        publisher.start();
        Clock.sleepUntil(start + TimeUnit.SECONDS.toNanos(warmupSeconds));
        return start;
    }

    /** Publishes for {@code seconds} more, stops, and returns every publish's result. */
    List<PublishResult> stopAfter(int seconds) throws InterruptedException {
        Clock.sleepSeconds(seconds);
        publisher.stop();
        return publisher.results();
    }

    /**
     * Waits (at most {@code seconds}) until every acked publish of {@code all} reached every follower, then stops the
     * followers; returns the acked publishes.
     */
    List<PublishResult> awaitDelivered(List<PublishResult> all, int seconds) throws InterruptedException {
        List<PublishResult> acked = all.stream().filter(PublishResult::ok).toList();
        say("%d publishes, %d acked; waiting for their delivery", all.size(), acked.size());
        Deliveries.await(acked, followers, seconds);
        followers.forEach(Follower::stop);
        retry.shutdownNow();
        return acked;
    }
}
