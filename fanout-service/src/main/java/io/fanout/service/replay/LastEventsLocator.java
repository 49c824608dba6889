package io.fanout.service.replay;

import io.fanout.schemas.EventCodec;
import io.fanout.service.replay.ReplayPlanner.LocatedLast;
import io.fanout.service.replay.ReplayPlanner.PartitionOffsets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.stereotype.Component;

/**
 * Finds the offsets of the last N events of channels in one partition, for {@code last=N}: from the channel
 * directory's index when it knows them (reading only the part of the log it has not indexed yet), else by reading
 * backwards from the end in doubling steps. Every read is bounded in records ({@code fanout.replay.last-scan-records})
 * and time ({@code fanout.replay.last-scan-time}) and stops when the session ends. A search cut short answers the
 * newest events it found, marked incomplete; it never leaves out an event newer than those. Runs on a log reader's
 * thread with that reader's consumer.
 */
@Component
class LastEventsLocator {

    private static final Duration POLL = Duration.ofMillis(200);

    private final RecentOffsetsClient directory;
    private final ReplayProperties properties;
    private final Counter scannedBackward;
    private final Counter indexHits;
    private final Counter indexMisses;

    LastEventsLocator(RecentOffsetsClient directory, ReplayProperties properties, MeterRegistry meters) {
        this.directory = directory;
        this.properties = properties;
        this.scannedBackward = Counter.builder("fanout.replay.records.scanned.backward")
                .description("records read searching backwards for last=N")
                .register(meters);
        this.indexHits = Counter.builder("fanout.replay.last.lookups")
                .tag("source", "directory")
                .description("last=N served by the directory's recent-offsets index")
                .register(meters);
        this.indexMisses = Counter.builder("fanout.replay.last.lookups")
                .tag("source", "backward-scan")
                .description("last=N served by a bounded backward read")
                .register(meters);
    }

    /** Bounds of one search: records and a deadline, shared by every channel of the request. */
    final class Budget {

        private long records = properties.lastScanRecords();
        private final long deadline =
                System.nanoTime() + properties.lastScanTime().toNanos();
        private final BooleanSupplier cancelled;

        Budget(BooleanSupplier cancelled) {
            this.cancelled = cancelled;
        }

        boolean exhausted() {
            return records <= 0 || System.nanoTime() - deadline > 0 || cancelled.getAsBoolean();
        }

        void spend(int read) {
            records -= read;
        }
    }

    LocatedLast locate(
            Consumer<String, byte[]> consumer,
            TopicPartition tp,
            List<String> channels,
            int count,
            PartitionOffsets bounds,
            Budget budget,
            Counter recordsRead) {
        TreeSet<Long> wanted = new TreeSet<>();
        long through = bounds.end();
        boolean complete = true;
        for (String channel : channels) {
            Optional<RecentOffsetsClient.Recent> indexed = directory.recent(channel, count);
            if (indexed.isPresent()) {
                indexHits.increment();
                List<Long> found = new ArrayList<>(indexed.get().offsets().stream()
                        .filter(o -> o >= bounds.begin() && o < bounds.end())
                        .toList());
                long tailFrom = Math.max(bounds.begin(), indexed.get().lastKnownOffset() + 1);
                if (tailFrom < bounds.end()) {
                    Scan tail = scan(consumer, tp, channel, tailFrom, bounds.end(), budget, recordsRead, null);
                    found.addAll(tail.offsets());
                    // what the tail scan did not reach is read normally after the exact offsets
                    through = Math.min(through, tail.reached());
                }
                int from = Math.max(0, found.size() - count);
                wanted.addAll(found.subList(from, found.size()));
            } else {
                indexMisses.increment();
                Deque<Long> found = new ArrayDeque<>();
                long hi = bounds.end();
                long step = properties.backwardStep();
                while (hi > bounds.begin() && found.size() < count) {
                    if (budget.exhausted()) {
                        complete = false;
                        break;
                    }
                    long lo = Math.max(bounds.begin(), hi - step);
                    Scan chunk = scan(consumer, tp, channel, lo, hi, budget, recordsRead, scannedBackward);
                    if (chunk.reached() < hi) {
                        complete = false; // cut short inside the chunk: keep only what lies above what it missed
                        found.clear();
                        List<Long> newest = chunk.offsets();
                        through = Math.min(through, chunk.reached());
                        newest.forEach(found::addLast);
                        break;
                    }
                    List<Long> offsets = chunk.offsets();
                    for (int i = offsets.size() - 1; i >= 0 && found.size() < count; i--) {
                        found.addFirst(offsets.get(i));
                    }
                    hi = lo;
                    step = Math.min(step * 2, 1L << 20);
                }
                wanted.addAll(found);
            }
        }
        long end = through;
        List<Long> offsets = wanted.stream().filter(o -> o < end).toList();
        return new LocatedLast(offsets, through, complete);
    }

    /** Offsets in {@code [from, to)} of the Events keyed {@code channel}, and how far the scan got (to, unless cut). */
    record Scan(List<Long> offsets, long reached) {}

    private Scan scan(
            Consumer<String, byte[]> consumer,
            TopicPartition tp,
            String channel,
            long from,
            long to,
            Budget budget,
            Counter recordsRead,
            Counter scanned) {
        List<Long> offsets = new ArrayList<>();
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        long reached = from;
        while (reached < to) {
            if (budget.exhausted()) {
                return new Scan(offsets, reached);
            }
            List<ConsumerRecord<String, byte[]>> records = consumer.poll(POLL).records(tp);
            for (ConsumerRecord<String, byte[]> record : records) {
                if (record.offset() >= to) {
                    break;
                }
                if (channel.equals(record.key()) && EventCodec.isEvent(record.value())) { // not another producer's
                    offsets.add(record.offset());
                }
            }
            reached = Math.min(to, consumer.position(tp));
            budget.spend(records.size());
            recordsRead.increment(records.size());
            if (scanned != null) {
                scanned.increment(records.size());
            }
        }
        return new Scan(offsets, to);
    }
}
