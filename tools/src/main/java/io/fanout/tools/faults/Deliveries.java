package io.fanout.tools.faults;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** Comparing what was acked with what followers received. */
final class Deliveries {

    /** Per follower summed: acked but not delivered, delivered more than once, delivered but never acked. */
    record Count(long lost, long duplicated, long unackedDelivered) {}

    private Deliveries() {}

    /** Publishes probes (n <= 0) until every follower saw one: from then on nothing published is missed. */
    static void sync(SteadyPublisher publisher, List<Follower> followers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (long probe = 0; ; probe--) {
            publisher.publish(probe).get(20, TimeUnit.SECONDS);
            if (Clock.awaitUntil(
                            () -> followers.stream().allMatch(Deliveries::sawProbe),
                            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300),
                            50)
                    > 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the follower(s) never received a probe");
            }
        }
    }

    private static boolean sawProbe(Follower f) {
        return f.seen.keySet().stream().anyMatch(n -> n <= 0);
    }

    /** Waits (bounded) until every acked message number was delivered to every follower. */
    static void await(List<PublishResult> acked, List<Follower> followers, int seconds) throws InterruptedException {
        Clock.awaitUntil(
                () -> followers.stream().allMatch(f -> acked.stream().allMatch(r -> f.seen.containsKey(r.n))),
                System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds),
                200);
    }

    static Count count(List<PublishResult> acked, List<Follower> followers) {
        Set<Long> ackedNs = acked.stream().map(r -> r.n).collect(Collectors.toSet());
        long lost = 0;
        long duplicated = 0;
        long unacked = 0;
        for (Follower f : followers) {
            for (PublishResult r : acked) {
                if (!f.seen.containsKey(r.n)) {
                    lost++;
                }
            }
            for (Map.Entry<Long, AtomicInteger> e : f.seen.entrySet()) {
                if (e.getKey() <= 0) {
                    continue;
                }
                if (e.getValue().get() > 1) {
                    duplicated++;
                }
                if (!ackedNs.contains(e.getKey())) {
                    unacked++;
                }
            }
        }
        return new Count(lost, duplicated, unacked);
    }
}
