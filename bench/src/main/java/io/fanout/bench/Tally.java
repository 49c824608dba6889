package io.fanout.bench;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/** What a group of subscribers delivered, shared by their event-loop threads. */
final class Tally {
    /** First-time deliveries of generator events (not probes, not duplicates). */
    final LongAdder deliveries = new LongAdder();
    /** publish -> deliver latency in microseconds, of events sent at or after {@link #recordFrom}. */
    final Recorder latency = new Recorder(3);
    /** System.nanoTime(): events sent before this are not recorded in {@link #latency}. */
    volatile long recordFrom = Long.MAX_VALUE;
    /** Events sent at or after this are not recorded in {@link #latency} (they may go to {@link #latencyB}). */
    volatile long recordUntil = Long.MAX_VALUE;
    /** A second window [recordFromB, recordUntilB) of send times, recorded in {@link #latencyB}. */
    final Recorder latencyB = new Recorder(3);

    volatile long recordFromB = Long.MAX_VALUE;
    volatile long recordUntilB = Long.MAX_VALUE;
}
