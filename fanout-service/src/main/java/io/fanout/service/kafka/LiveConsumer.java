package io.fanout.service.kafka;

import io.fanout.common.FanoutProperties;
import io.fanout.schemas.EventCodec;
import io.fanout.schemas.UndecodableEventException;
import io.fanout.schemas.avro.Event;
import io.fanout.service.subscribe.Dispatcher;
import io.fanout.service.subscribe.EventFrame;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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
    private volatile Consumer<String, byte[]> consumer;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile boolean assigned;

    LiveConsumer(ConsumerFactory<?, ?> consumerFactory, Dispatcher dispatcher, FanoutProperties fanout,
            MeterRegistry meters) {
        this.consumerFactory = consumerFactory;
        this.dispatcher = dispatcher;
        this.topic = fanout.topic();
        this.records = Counter.builder("fanout.consumer.records").description("records read from the events topic")
                .register(meters);
        this.undecodable = Counter.builder("fanout.consumer.undecodable")
                .description("records skipped because their value is not an Event").register(meters);
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
                    ConsumerRecords<String, byte[]> batch = c.poll(Duration.ofMillis(200));
                    for (ConsumerRecord<String, byte[]> record : batch) {
                        deliver(record);
                    }
                    dispatcher.wakeSubscribers();
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
        } finally {
            running = false;
            assigned = false;
        }
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
        Event event;
        try {
            event = EventCodec.decode(record.value());
        } catch (UndecodableEventException e) {
            undecodable.increment();
            return;
        }
        dispatcher.dispatch(EventFrame.of(channel, record.partition(), record.offset(), record.timestamp(),
                event.getId(), event.getMessage()));
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
