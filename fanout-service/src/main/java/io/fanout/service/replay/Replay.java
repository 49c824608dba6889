package io.fanout.service.replay;

import io.fanout.schemas.EventCodec;
import io.fanout.schemas.UndecodableEventException;
import io.fanout.schemas.avro.Event;
import io.fanout.service.subscribe.EventFrame;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.TruncationNotice;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The history of one subscription and its hand-over to live: {@link #history()} emits truncation notices,
 * then the planned events partition by partition in log order, polling only as fast as the session takes
 * them (at most one poll of {@code fanout.replay.poll-records} buffered). {@link #liveFrom()} says, per
 * partition, the first offset live delivery must pass on; everything below came (or was due) from history.
 * The replay's consumer is closed, and its slot released, when the history completes, fails or is cancelled,
 * or by {@link #close()} if the history is never read.
 */
public final class Replay implements AutoCloseable {

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final List<PartitionPlan> plans;
    private final List<TruncationNotice> notices;
    private final Map<Integer, Long> liveFrom;
    private final Scheduler scheduler;
    private final Runnable release;
    private final Counter recordsRead;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final int maxEventsPerSecond;

    Replay(Consumer<String, byte[]> consumer, String topic, List<PartitionPlan> plans, List<TruncationNotice> notices,
            Map<Integer, Long> liveFrom, Scheduler scheduler, Runnable release, Counter recordsRead,
            int maxEventsPerSecond) {
        this.maxEventsPerSecond = maxEventsPerSecond;
        this.consumer = consumer;
        this.topic = topic;
        this.plans = List.copyOf(plans);
        this.notices = List.copyOf(notices);
        this.liveFrom = Map.copyOf(liveFrom);
        this.scheduler = scheduler;
        this.release = release;
        this.recordsRead = recordsRead;
    }

    /** Per partition of the subscription's channels: live frames at or above this offset are new. */
    public Map<Integer, Long> liveFrom() {
        return liveFrom;
    }

    /** Per partition, the first offset this replay may send: where a client would resume having seen nothing. */
    Map<Integer, Long> startPositions() {
        Map<Integer, Long> positions = new java.util.HashMap<>(liveFrom);
        for (PartitionPlan plan : plans) {
            long first = plan.exactOffsets().isEmpty() ? plan.scanFrom() : plan.exactOffsets().get(0);
            positions.put(plan.partition(), first);
        }
        return positions;
    }

    /** Whether a live frame is past the history, so neither lost nor a duplicate. */
    public boolean isLive(EventFrame frame) {
        Long from = liveFrom.get(frame.partition());
        return from != null && frame.offset() >= from;
    }

    /**
     * Notices, then history events; reads Kafka on a replay thread as the subscriber requests. The consumer
     * is closed when this completes, fails or is cancelled (Reactor runs the cleanup where no poll is under way).
     */
    public Flux<Frame> history() {
        return Flux.<Frame, Reader>generate(Reader::new, (reader, sink) -> {
            Frame next = reader.next();
            if (next == null) {
                sink.complete();
            } else {
                sink.next(next);
            }
            return reader;
        }, reader -> close()).subscribeOn(scheduler, true);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                consumer.close(Duration.ZERO);
            } finally {
                release.run();
            }
        }
    }

    /** Walks the plans; runs only on the replay thread of this replay. */
    private final class Reader {

        private final Iterator<PartitionPlan> remaining = plans.iterator();
        private final ArrayDeque<Frame> buffered = new ArrayDeque<>(notices);
        private PartitionPlan plan;
        private TopicPartition partition;
        private ArrayDeque<Long> exact;
        private long sent;
        private long startedNanos;

        Frame next() {
            pace();
            while (buffered.isEmpty()) {
                if (plan == null || done()) {
                    if (!remaining.hasNext()) {
                        return null;
                    }
                    begin(remaining.next());
                    continue;
                }
                fill();
            }
            return buffered.poll();
        }

        /**
         * Keeps this replay at or below {@code maxEventsPerSecond}, checked every 100 events: parks the replay
         * thread (never an event loop) for as long as the replay is ahead of its allowance.
         */
        private void pace() {
            if (maxEventsPerSecond <= 0) {
                return;
            }
            if (sent == 0) {
                startedNanos = System.nanoTime();
            }
            if (++sent % 100 == 0) {
                long due = startedNanos + sent * 1_000_000_000L / maxEventsPerSecond;
                long ahead = due - System.nanoTime();
                if (ahead > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(ahead);
                }
            }
        }

        private void begin(PartitionPlan next) {
            plan = next;
            partition = new TopicPartition(topic, next.partition());
            consumer.assign(List.of(partition));
            exact = new ArrayDeque<>(next.exactOffsets());
            if (exact.isEmpty()) {
                consumer.seek(partition, next.scanFrom());
            }
        }

        private boolean done() {
            return exact.isEmpty() && consumer.position(partition) >= plan.end();
        }

        private void fill() {
            if (!exact.isEmpty()) {
                consumer.seek(partition, exact.peek());
            }
            List<ConsumerRecord<String, byte[]>> records = consumer.poll(Duration.ofMillis(200)).records(partition);
            recordsRead.increment(records.size());
            for (ConsumerRecord<String, byte[]> record : records) {
                if (record.offset() >= plan.end()) {
                    consumer.seek(partition, plan.end());
                    exact.clear();
                    break;
                }
                if (!exact.isEmpty()) {
                    while (!exact.isEmpty() && exact.peek() < record.offset()) {
                        exact.poll(); // gone (compacted or aborted); nothing to send
                    }
                    if (exact.isEmpty() || exact.peek() != record.offset()) {
                        continue;
                    }
                    exact.poll();
                }
                Long start = plan.startByChannel().get(record.key());
                if (start != null && record.offset() >= start) {
                    toFrame(record);
                }
                if (exact.isEmpty() && !plan.exactOffsets().isEmpty()) {
                    consumer.seek(partition, plan.end());
                    break;
                }
            }
        }

        private void toFrame(ConsumerRecord<String, byte[]> record) {
            try {
                Event event = EventCodec.decode(record.value());
                buffered.add(EventFrame.of(record.key(), record.partition(), record.offset(), record.timestamp(),
                        event.getId(), event.getMessage()));
            } catch (UndecodableEventException e) {
                // not an Event: live delivery skips it too
            }
        }
    }
}
