package io.fanout.service.kafka;

import io.fanout.common.FanoutProperties;
import io.fanout.schemas.EventCodec;
import io.fanout.schemas.avro.Event;
import io.fanout.service.subscribe.Dispatcher;
import io.fanout.service.subscribe.EventFrame;
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
 * The one Kafka consumer of this instance. It assigns itself every partition of the events topic (no
 * consumer group, so every instance sees every record), starts at the log end, and hands each record of
 * a watched channel, decoded and encoded once as an {@link EventFrame}, to the {@link Dispatcher}. It runs
 * on its own thread, never on an event loop; records of unwatched channels are skipped without decoding.
 * Partitions added to the topic later are picked up from their beginning.
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

    private final ConsumerFactory<?, ?> consumerFactory;
    private final Dispatcher dispatcher;
    private final String topic;
    private final Counter records;
    private final Counter undecodable;
    private final Counter failures;
    private volatile Consumer<String, byte[]> consumer;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile boolean assigned;

    LiveConsumer(
            ConsumerFactory<?, ?> consumerFactory,
            Dispatcher dispatcher,
            FanoutProperties fanout,
            MeterRegistry meters) {
        this.consumerFactory = consumerFactory;
        this.dispatcher = dispatcher;
        this.topic = fanout.topic();
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
                        nextPartitionCheck = System.nanoTime() + PARTITION_CHECK_INTERVAL.toNanos();
                    }
                    if (partitions.isEmpty()) {
                        Thread.sleep(500);
                        nextPartitionCheck = 0;
                        continue;
                    }
                    Map<Integer, Long> pollStart = positions(c, partitions);
                    ConsumerRecords<String, byte[]> batch = c.poll(Duration.ofMillis(200));
                    deliver(batch);
                    if (dispatcher.hasLiveRequests()) {
                        // between two polls: everything below these positions was dispatched, nothing above
                        dispatcher.serveLiveRequests(
                                positions(c, partitions), pollStart, channels -> framesOf(batch, channels));
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

    private static Map<Integer, Long> positions(Consumer<String, byte[]> c, Set<TopicPartition> partitions) {
        Map<Integer, Long> positions = new HashMap<>();
        for (TopicPartition partition : partitions) {
            positions.put(partition.partition(), c.position(partition));
        }
        return positions;
    }

    /** The events of {@code channels} in {@code batch}, in order per partition. */
    private List<EventFrame> framesOf(ConsumerRecords<String, byte[]> batch, Set<String> channels) {
        List<EventFrame> frames = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : batch) {
            if (record.key() != null && channels.contains(record.key())) {
                EventFrame frame = decode(record);
                if (frame != null) {
                    frames.add(frame);
                }
            }
        }
        return frames;
    }

    private void assignNewPartitions(Consumer<String, byte[]> c, Set<TopicPartition> partitions) {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
        if (infos == null || infos.isEmpty()) {
            log.warn("topic {} not found; waiting for it", topic);
            return;
        }
        Set<TopicPartition> added = new HashSet<>();
        for (PartitionInfo info : infos) {
            TopicPartition partition = new TopicPartition(info.topic(), info.partition());
            if (!partitions.contains(partition)) {
                added.add(partition);
            }
        }
        if (added.isEmpty()) {
            return;
        }
        boolean first = partitions.isEmpty();
        partitions.addAll(added);
        c.assign(partitions);
        if (first) {
            c.seekToEnd(added);
        } else {
            c.seekToBeginning(added);
        }
        added.forEach(c::position); // resolve now, so nothing published after this point is missed
        assigned = true;
        log.info("following {} partitions of {}", partitions.size(), topic);
    }

    private void deliver(ConsumerRecord<String, byte[]> record) {
        String channel = record.key();
        if (channel == null || !dispatcher.hasSubscribers(channel)) {
            return;
        }
        EventFrame frame = decode(record);
        if (frame != null) {
            dispatcher.dispatch(frame);
        }
    }

    private EventFrame decode(ConsumerRecord<String, byte[]> record) {
        Event event;
        try {
            event = EventCodec.decode(record.value());
        } catch (RuntimeException e) {
            undecodable.increment();
            return null;
        }
        return EventFrame.of(
                record.key(),
                record.partition(),
                record.offset(),
                record.timestamp(),
                event.getId(),
                event.getMessage());
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
