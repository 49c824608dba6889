package io.fanout.service.kafka;

import io.fanout.common.FanoutProperties;
import io.fanout.common.region.RegionProperties;
import io.fanout.common.sequence.SequenceProperties;
import io.fanout.schemas.EventCodec;
import io.fanout.schemas.UndecodableEventException;
import io.fanout.service.subscribe.Dispatcher;
import io.fanout.service.subscribe.EventFrame;
import io.fanout.service.subscribe.OriginPartition;
import io.fanout.service.subscribe.PartitionCursor;
import io.fanout.service.subscribe.PartitionCursor.Mark;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.stereotype.Component;

/**
 * The one Kafka consumer of this instance. It assigns itself every partition of every origin's events topic
 * ({@link RegionProperties#topicsByOrigin}: this region's own, and each mirrored region's {@code <alias>.<topic>};
 * no consumer group, so every instance sees every record), starts at the log ends, and hands each record of a
 * watched channel, decoded and encoded once as an {@link EventFrame}, to the {@link Dispatcher}. It runs on its own
 * thread, never on an event loop; records of unwatched channels are skipped without decoding. Partitions added to a
 * topic later, and a mirror topic that appears later (checked every few seconds while one is missing, reported in
 * the health details), are picked up from their beginning.
 *
 * <p>Cursors: per origin partition it keeps the last Event record it passed (its timestamp and, read only when a
 * cursor needs it, its id), so each frame carries the stream's {@link PartitionCursor} after its record, encoded once
 * with the frame. To know what lies before its starting point it reads one record earlier than the log end
 * (delivered to nobody).
 *
 * <p>Between two polls it hands waiting subscriptions over to live delivery ({@link Dispatcher#serveLiveRequests})
 * with its positions; it serves none before it has its partitions, so a session opened while the instance starts
 * waits instead of missing what lies between its history and the live position. If the thread dies, health goes
 * DOWN and every session is closed (1013) so that its client resumes on another instance.
 */
@Component
class LiveConsumer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LiveConsumer.class);
    private static final Duration PARTITION_CHECK_INTERVAL = Duration.ofSeconds(30);
    private static final Duration MISSING_TOPIC_CHECK_INTERVAL = Duration.ofSeconds(2);

    private final ConsumerFactory<?, ?> consumerFactory;
    private final Dispatcher dispatcher;
    private final Map<String, String> topicsByOrigin;
    private final Map<String, String> originByTopic = new HashMap<>();
    /** Per origin partition followed, the last Event record passed; consumer thread only. */
    private final Map<TopicPartition, LastEvent> lastEvents = new HashMap<>();
    /** Per partition seeded from one record before the log end: records below this offset are not delivered. */
    private final Map<TopicPartition, Long> seedUntil = new HashMap<>();

    private final Counter records;
    private final Counter undecodable;
    private final Counter failures;
    private volatile Consumer<String, byte[]> consumer;
    private final String isolationLevel;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile boolean assigned;
    private volatile Set<String> missingTopics = Set.of();
    private boolean started;

    LiveConsumer(
            ConsumerFactory<?, ?> consumerFactory,
            Dispatcher dispatcher,
            FanoutProperties fanout,
            RegionProperties region,
            SequenceProperties sequence,
            MeterRegistry meters) {
        this.consumerFactory = consumerFactory;
        this.dispatcher = dispatcher;
        this.isolationLevel = sequence.eventsIsolationLevel();
        this.topicsByOrigin = region.topicsByOrigin(fanout.topic());
        topicsByOrigin.forEach((origin, topic) -> originByTopic.put(topic, origin));
        this.records = Counter.builder("fanout.consumer.records")
                .description("records read from the events topic")
                .register(meters);
        this.undecodable = Counter.builder("fanout.consumer.undecodable")
                .description("records skipped because their value is not an Event")
                .register(meters);
        this.failures = Counter.builder("fanout.consumer.delivery.failures")
                .description("records whose delivery failed (their sessions read them from the log)")
                .register(meters);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void start() {
        Properties fixed = new Properties();
        fixed.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        fixed.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        fixed.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // sequenced: the sequencer writes in transactions; never deliver what it aborted, nor what it has not committed
        fixed.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        consumer = (Consumer<String, byte[]>) consumerFactory.createConsumer(null, "fanout-live", null, fixed);
        running = true;
        thread = new Thread(this::run, "fanout-live-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        Consumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            if (thread != null) {
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The topics of origins this consumer should read that do not exist (yet); any thread. */
    Set<String> missingTopics() {
        return missingTopics;
    }

    /** Whether the consumer thread is alive and has its partitions. */
    boolean isConsuming() {
        Thread current = thread;
        return running && assigned && current != null && current.isAlive();
    }

    private void run() {
        boolean stopped = false;
        try (Consumer<String, byte[]> c = consumer) {
            Set<TopicPartition> partitions = new HashSet<>();
            long nextPartitionCheck = 0;
            while (running) {
                try {
                    if (System.nanoTime() - nextPartitionCheck > 0) {
                        assignNewPartitions(c, partitions);
                        Duration interval =
                                missingTopics.isEmpty() ? PARTITION_CHECK_INTERVAL : MISSING_TOPIC_CHECK_INTERVAL;
                        nextPartitionCheck = System.nanoTime() + interval.toNanos();
                    }
                    if (partitions.isEmpty()) {
                        Thread.sleep(500);
                        nextPartitionCheck = 0;
                        continue;
                    }
                    Map<OriginPartition, Long> pollStart = positions(c, partitions);
                    Map<TopicPartition, LastEvent> lastAtPollStart = new HashMap<>(lastEvents);
                    ConsumerRecords<String, byte[]> batch = c.poll(Duration.ofMillis(200));
                    deliver(batch);
                    if (dispatcher.hasLiveRequests()) {
                        // between two polls: everything below these positions was dispatched, nothing above
                        dispatcher.serveLiveRequests(
                                positions(c, partitions),
                                pollStart,
                                channels -> framesOf(batch, channels, lastAtPollStart),
                                () -> marksOf(lastAtPollStart));
                    }
                    records.increment(batch.count());
                } catch (WakeupException e) {
                    // stop() woke us up; the loop condition decides
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    log.warn("live consumer poll failed, retrying in 1s: {}", e.toString());
                    sleepQuietly();
                }
            }
            stopped = true;
        } catch (Throwable e) {
            log.error("the live consumer thread died; closing every session so that clients resume elsewhere", e);
            throw e;
        } finally {
            boolean unexpected = running && !stopped;
            running = false;
            assigned = false;
            if (unexpected) {
                dispatcher.failAll("live delivery stopped on this instance; reconnect with from=");
            }
        }
    }

    /**
     * Hands each record of a watched channel to the dispatcher, and then wakes the sessions. A failure with one
     * record (even an {@link Error} such as running out of direct memory) costs only that record's sessions their
     * live buffer (they read it from the log); the rest of the poll is still delivered.
     */
    void deliver(ConsumerRecords<String, byte[]> batch) {
        for (ConsumerRecord<String, byte[]> record : batch) {
            try {
                deliver(record);
            } catch (Throwable e) {
                failures.increment();
                log.warn(
                        "delivering offset {} of partition {} failed; its sessions catch up from the log: {}",
                        record.offset(),
                        record.partition(),
                        e.toString());
            }
        }
        try {
            dispatcher.wakeSubscribers();
        } catch (Throwable e) {
            failures.increment();
            log.warn("waking sessions failed: {}", e.toString());
        }
    }

    /** Per origin partition, the position; a seeded partition's never below where its delivery starts. */
    private Map<OriginPartition, Long> positions(Consumer<String, byte[]> c, Set<TopicPartition> partitions) {
        Map<OriginPartition, Long> positions = new HashMap<>();
        for (TopicPartition partition : partitions) {
            long position = Math.max(c.position(partition), seedUntil.getOrDefault(partition, 0L));
            positions.put(new OriginPartition(originByTopic.get(partition.topic()), partition.partition()), position);
        }
        return positions;
    }

    /**
     * The events of {@code channels} in {@code batch}, in order per partition, each with the cursor it had when the
     * batch was delivered ({@code lastAtPollStart}: the last Events before the batch).
     */
    private List<EventFrame> framesOf(
            ConsumerRecords<String, byte[]> batch,
            Set<String> channels,
            Map<TopicPartition, LastEvent> lastAtPollStart) {
        Map<TopicPartition, LastEvent> last = new HashMap<>(lastAtPollStart);
        List<EventFrame> frames = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : batch) {
            boolean delivered = pass(record, last);
            if (delivered && record.key() != null && channels.contains(record.key())) {
                EventFrame frame = decode(record, last);
                if (frame != null) {
                    frames.add(frame);
                }
            }
        }
        return frames;
    }

    /**
     * Notes {@code record} in {@code last} if it is an Event; returns whether it is to be delivered (not a record
     * read only to seed the cursors).
     */
    private boolean pass(ConsumerRecord<String, byte[]> record, Map<TopicPartition, LastEvent> last) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (EventCodec.isEvent(record.value())) {
            last.put(partition, new LastEvent(record.timestamp(), record.value()));
        }
        Long seeded = seedUntil.get(partition);
        return seeded == null || record.offset() >= seeded;
    }

    /** Per origin partition, the mark of {@code last}'s Event. */
    private Map<OriginPartition, Mark> marksOf(Map<TopicPartition, LastEvent> last) {
        Map<OriginPartition, Mark> marks = new HashMap<>();
        last.forEach((partition, event) -> marks.put(
                new OriginPartition(originByTopic.get(partition.topic()), partition.partition()), event.mark()));
        return marks;
    }

    /** The stream's cursor in {@code partition} per {@code last}; origins of which nothing is known are left out. */
    private PartitionCursor cursorOf(int partition, Map<TopicPartition, LastEvent> last) {
        Map<String, Mark> marks = new TreeMap<>();
        topicsByOrigin.forEach((origin, topic) -> {
            LastEvent event = last.get(new TopicPartition(topic, partition));
            if (event != null) {
                marks.put(origin, event.mark());
            }
        });
        return new PartitionCursor(partition, marks);
    }

    /**
     * The last Event record of an origin partition: its timestamp, and its id read from its value only when a cursor
     * needs it (once). {@code value == null}: none before the start ({@link Mark#BEGINNING}). Consumer thread only.
     */
    private static final class LastEvent {

        static final LastEvent BEGINNING = new LastEvent(-1, null);

        private final long timestamp;
        private final byte[] value;
        private Mark mark;

        LastEvent(long timestamp, byte[] value) {
            this.timestamp = timestamp;
            this.value = value;
        }

        Mark mark() {
            if (mark == null) {
                mark = value == null ? Mark.BEGINNING : new Mark(timestamp, EventCodec.idOf(value));
            }
            return mark;
        }
    }

    /**
     * Assigns the partitions of every origin's topic not followed yet. At the first assignment they start at the log
     * end, seeded from the last Event among the few records before it ({@link PartitionCursor#MARK_LOOKBACK}); what appears later (partitions, a mirror topic) starts at its beginning.
     */
    private void assignNewPartitions(Consumer<String, byte[]> c, Set<TopicPartition> partitions) {
        Set<String> missing = new TreeSet<>();
        Set<TopicPartition> added = new HashSet<>();
        for (String topic : topicsByOrigin.values()) {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos == null || infos.isEmpty()) {
                if (!missingTopics.contains(topic)) {
                    log.warn("topic {} not found; waiting for it", topic);
                }
                missing.add(topic);
                continue;
            }
            for (PartitionInfo info : infos) {
                TopicPartition partition = new TopicPartition(info.topic(), info.partition());
                if (!partitions.contains(partition)) {
                    added.add(partition);
                }
            }
        }
        missingTopics = Set.copyOf(missing);
        if (added.isEmpty()) {
            return;
        }
        partitions.addAll(added);
        c.assign(partitions);
        if (!started) {
            c.seekToEnd(added);
            Map<TopicPartition, Long> begins = c.beginningOffsets(added);
            for (TopicPartition partition : added) {
                long end = c.position(partition); // the last stable offset (read_committed)
                long begin = begins.getOrDefault(partition, 0L);
                if (end > begin) {
                    // read to seed the cursors (the last Event before the end), delivered to nobody
                    c.seek(partition, Math.max(begin, end - PartitionCursor.MARK_LOOKBACK));
                    seedUntil.put(partition, end);
                } else {
                    lastEvents.put(partition, LastEvent.BEGINNING);
                }
            }
        } else {
            c.seekToBeginning(added);
            added.forEach(partition -> lastEvents.put(partition, LastEvent.BEGINNING));
        }
        added.forEach(c::position); // resolve now, so nothing published after this point is missed
        started = true;
        assigned = true;
        log.info("following {} partitions of {}", partitions.size(), topicsByOrigin.values());
    }

    private void deliver(ConsumerRecord<String, byte[]> record) {
        if (!pass(record, lastEvents)) {
            return;
        }
        String channel = record.key();
        if (channel == null || !dispatcher.hasSubscribers(channel)) {
            return;
        }
        EventFrame frame = decode(record, lastEvents);
        if (frame != null) {
            dispatcher.dispatch(frame);
        }
    }

    private EventFrame decode(ConsumerRecord<String, byte[]> record, Map<TopicPartition, LastEvent> last) {
        try {
            return EventFrame.ofValue(
                    record.key(),
                    originByTopic.getOrDefault(record.topic(), record.topic()),
                    record.partition(),
                    record.offset(),
                    record.timestamp(),
                    cursorOf(record.partition(), last),
                    record.value());
        } catch (UndecodableEventException e) {
            undecodable.increment();
            return null;
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
