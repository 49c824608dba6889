package io.fanout.common.publish;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Knows when {@code Producer.send} cannot block, so that a publish may call it on the caller's thread (an event loop)
 * instead of handing it to a send thread: one thread hand-off fewer per publish.
 *
 * <p>{@code KafkaProducer.send} blocks in two places only: waiting for the topic's metadata, and waiting for room in
 * its buffer ({@code buffer.memory}). A send may run on the caller's thread when both are ruled out:
 * <ul>
 *   <li>Kafka acknowledged a record within the last {@code recentAck} and no send has failed since: the producer has
 *       the topic's metadata (it had it to send that record) and the broker answers;</li>
 *   <li>what this publisher has handed to the producer and not yet had answered fits in half the buffer, counted as
 *       if every record opened a batch of its own ({@code batch.size} or its size, whichever is larger).</li>
 * </ul>
 * What remains is a race: Kafka goes away within {@code recentAck} of its last ack and the producer drops the topic's
 * metadata before that window closes. The send caught in it blocks its thread for at most {@code max.block.ms} and the
 * publish is answered as before; the next ones go to the send threads, since no ack came.
 */
final class NonBlockingSends {

    private final long recentAckNanos;
    private final long batchSize;
    private final long budget;
    private final LongSupplier clock;
    private final AtomicLong pendingBytes = new AtomicLong();
    private volatile long lastAck;
    private volatile boolean ackedSinceFailure;

    /**
     * @param recentAck how recent Kafka's last ack must be
     * @param batchSize the producer's {@code batch.size}
     * @param bufferMemory the producer's {@code buffer.memory}
     * @param clock {@link System#nanoTime}, or a test's clock
     */
    NonBlockingSends(Duration recentAck, long batchSize, long bufferMemory, LongSupplier clock) {
        this.recentAckNanos = recentAck.toNanos();
        this.batchSize = batchSize;
        this.budget = bufferMemory / 2;
        this.clock = clock;
    }

    /** Whether a record of {@code bytes} may be sent on the caller's thread now. */
    boolean allows(int bytes) {
        return ackedSinceFailure
                && clock.getAsLong() - lastAck < recentAckNanos
                && pendingBytes.get() + reserved(bytes) <= budget;
    }

    /** A record of {@code bytes} was handed to the producer (on whichever thread). */
    void handedOver(int bytes) {
        pendingBytes.addAndGet(reserved(bytes));
    }

    /** Kafka acknowledged a record of {@code bytes} handed over before. */
    void acked(int bytes) {
        pendingBytes.addAndGet(-reserved(bytes));
        lastAck = clock.getAsLong();
        ackedSinceFailure = true;
    }

    /** A record of {@code bytes} handed over before failed (or the producer refused it while taking it). */
    void failed(int bytes) {
        pendingBytes.addAndGet(-reserved(bytes));
        ackedSinceFailure = false;
    }

    private long reserved(int bytes) {
        return Math.max(batchSize, bytes);
    }
}
