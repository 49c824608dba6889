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
}
