package io.fanout.service.subscribe;

/**
 * Reads the log for subscriptions, off the event loops and the live consumer's thread; implemented by the shared,
 * bounded pool of log readers. Each call queues work and returns at once; the answer comes back through
 * {@link Subscription#planned}, {@link Subscription#logRead} or {@link Subscription#fail}.
 */
public interface LogSource {

    /** Works out where a subscription with a cursor starts ({@link Subscription#planned}). */
    void plan(Subscription subscription, SubscribeRequest request);

    /** Reads one bounded batch for {@code subscription} ({@link Subscription#logRead}). */
    void read(Subscription subscription, LogReadRequest request);
}
