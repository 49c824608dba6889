package io.fanout.common.publish;

import io.fanout.schemas.EventCodec;
import io.fanout.schemas.Topics;
import io.fanout.schemas.UndecodableEventException;
import io.fanout.schemas.avro.Event;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Follows the events topic from {@code window} ago and tells the {@link IdempotencyStore} where every event with an
 * idempotency key header landed, so a key written by any instance (or by this one before a restart) is known here.
 * Only keyed records are decoded: the others cost their fetch and a look at their headers, no copy of their key or
 * value (both are read as views of the fetched bytes, {@link Unread}).
 *
 * <p>{@link #caughtUp} answers "has everything written to this channel's partition before now been read?": the
 * follower asks Kafka for the partition's end offset after the call (one request per loop for all new questions)
 * and completes once its position reached it. Every acknowledged write is below that end.
 *
 * <p>While no question waits, the follower rests {@link #IDLE_PAUSE} between polls, so that a busy topic costs it
 * (and the broker) a few fetches a second rather than one per produce; a question wakes it at once, and what it must
 * read then is at most a rest's worth of records.
 *
 * <p>Threading: one daemon thread owns the consumer; {@link #caughtUp} may be called from any thread and never
 * blocks. Partitions added to the topic are picked up within {@link #PARTITION_REFRESH}. A Kafka error is logged
 * and the loop goes on after a pause; while Kafka is away, questions wait (their callers time out).
 */
public final class IdempotencyKeyFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyFollower.class);
    static final Duration PARTITION_REFRESH = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(100);
    /**
     * How long the follower rests between polls while no question waits: each poll costs a fetch from the broker
     * (and a fetch answer per produce while the topic is busy), and nothing needs the keys sooner than a keyed
     * publish asks for them, which wakes the follower at once ({@link #caughtUp}).
     */
    static final Duration IDLE_PAUSE = Duration.ofMillis(250);
    /** Records per poll: a rest's worth of a busy topic is read in a few polls without resting between them. */
    private static final int MAX_POLL_RECORDS = 5000;

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration PAUSE_AFTER_ERROR = Duration.ofSeconds(1);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** A question from {@link #caughtUp}; {@code target} is set on the follower thread. */
    private static final class Waiter {
        final String channel;
        final Sinks.Empty<Void> done = Sinks.empty();
        TopicPartition partition;
        long target = -1;

        Waiter(String channel) {
            this.channel = channel;
        }
    }

    private final IdempotencyStore store;
    private final String topic;
    private final Consumer<ByteBuffer, ByteBuffer> consumer;
    private final Queue<Waiter> arriving = new ConcurrentLinkedQueue<>();
    private final List<Waiter> waiting = new ArrayList<>();
    private final CountDownLatch firstCatchUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private final Set<TopicPartition> positioned = new HashSet<>();
    private Map<TopicPartition, Long> startupEnds;
    private int partitionCount;
    private long nextRefreshNanos;
    private long lastErrorLogNanos;
    private volatile int restored;

    public IdempotencyKeyFollower(IdempotencyStore store, Map<String, Object> clientConfig, String topic) {
        this.store = store;
        this.topic = topic;
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, Unread.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, Unread.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) POLL.toMillis());
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        // read_uncommitted: the topic publishers write (the events topic, or the sequencer's input) is written
        // without transactions, by idempotent producers
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "fanout-idempotency-keys-" + INSTANCES.incrementAndGet());
        this.consumer = new KafkaConsumer<>(config);
        this.thread = new Thread(this::run, "fanout-idempotency-keys");
        this.thread.setDaemon(true);
    }

    /**
     * Starts following and waits, at most {@code timeout}, until the last window has been read (so that retries of
     * publishes from before this start are recognised from the first request). Returns the keys restored.
     */
    public int start(Duration timeout) throws InterruptedException {
        thread.start();
        if (!firstCatchUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn(
                    "idempotency keys: the last {} of {} was not read within {}; keyed publishes wait for it",
                    store.window(),
                    topic,
                    timeout);
        }
        log.info("idempotency keys: restored {} from the last {} of {}", restored, store.window(), topic);
        return restored;
    }

    /** Completes once everything written to {@code channel}'s partition before this call has been read. */
    public Mono<Void> caughtUp(String channel) {
        if (!running) {
            return Mono.error(new PublishOutcomeUnknownException("idempotency keys are not being followed; retry"));
        }
        Waiter waiter = new Waiter(channel);
        arriving.add(waiter);
        LockSupport.unpark(thread); // a resting follower reads now
        return waiter.done.asMono();
    }

    private void run() {
        while (running) {
            try {
                refreshPartitions();
                if (partitionCount == 0) {
                    settleWithoutTopic();
                    pause(POLL);
                    continue;
                }
                int polled = 0;
                for (ConsumerRecord<ByteBuffer, ByteBuffer> record : consumer.poll(POLL)) {
                    read(record);
                    polled++;
                }
                settle();
                if (polled < MAX_POLL_RECORDS && idle()) {
                    LockSupport.parkNanos(this, IDLE_PAUSE.toNanos()); // caughtUp unparks
                }
            } catch (WakeupException e) {
                break;
            } catch (RuntimeException e) {
                if (System.nanoTime() - lastErrorLogNanos
                        > Duration.ofMinutes(1).toNanos()) {
                    lastErrorLogNanos = System.nanoTime();
                    log.warn("idempotency keys: reading {} failed ({}); retrying", topic, e.toString());
                }
                pause(PAUSE_AFTER_ERROR);
            } catch (Error e) {
                log.error(
                        "idempotency keys: following {} stopped; keys written elsewhere are no longer seen here",
                        topic,
                        e);
                running = false;
            }
        }
        arriving.forEach(w -> w.done.tryEmitEmpty());
        waiting.forEach(w -> w.done.tryEmitEmpty());
        firstCatchUp.countDown();
        consumer.close(Duration.ofSeconds(2));
    }

    /** Nobody waits for an answer: neither the first catch-up nor a question. */
    private boolean idle() {
        return firstCatchUp.getCount() == 0 && waiting.isEmpty() && arriving.isEmpty();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void read(ConsumerRecord<ByteBuffer, ByteBuffer> record) {
        String key = IdempotencyKeys.read(record.headers());
        if (key == null || record.value() == null) {
            return;
        }
        ByteBuffer view = record.value().duplicate();
        byte[] value = new byte[view.remaining()];
        view.get(value);
        Event event;
        try {
            event = EventCodec.decode(value);
        } catch (UndecodableEventException e) {
            return;
        }
        store.remember(
                key,
                event.getChannel(),
                event.getMessage(),
                new IdempotencyStore.Landing(event.getId(), record.partition(), record.offset(), record.timestamp()),
                record.timestamp());
        if (firstCatchUp.getCount() > 0) {
            restored++;
        }
    }

    private void refreshPartitions() {
        if (System.nanoTime() < nextRefreshNanos) {
            return;
        }
        List<PartitionInfo> infos = consumer.partitionsFor(topic, REQUEST_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            nextRefreshNanos = System.nanoTime() + PAUSE_AFTER_ERROR.toNanos(); // the topic may be created any moment
            return;
        }
        if (infos.size() == positioned.size()) {
            nextRefreshNanos = System.nanoTime() + PARTITION_REFRESH.toNanos();
            return;
        }
        List<TopicPartition> all = new ArrayList<>();
        List<TopicPartition> added = new ArrayList<>();
        for (PartitionInfo info : infos) {
            TopicPartition partition = new TopicPartition(topic, info.partition());
            all.add(partition);
            if (!positioned.contains(partition)) {
                added.add(partition);
            }
        }
        // new partitions from the window's start (first run) or their beginning (added later: all of it is new)
        long since = positioned.isEmpty()
                ? System.currentTimeMillis() - store.window().toMillis()
                : 0L;
        Map<TopicPartition, Long> query = new HashMap<>();
        added.forEach(p -> query.put(p, since));
        consumer.assign(all); // before asking for offsets: answers for unassigned partitions are logged as stale
        Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, REQUEST_TIMEOUT);
        Map<TopicPartition, Long> ends = consumer.endOffsets(added, REQUEST_TIMEOUT);
        for (TopicPartition partition : added) {
            OffsetAndTimestamp start = starts.get(partition);
            consumer.seek(partition, start == null ? ends.get(partition) : start.offset());
            positioned.add(partition);
        }
        if (startupEnds == null) {
            startupEnds = new HashMap<>(ends);
        }
        partitionCount = infos.size();
        nextRefreshNanos = System.nanoTime() + PARTITION_REFRESH.toNanos();
    }

    /** The topic does not exist (yet): nothing was written, so every question is answered. */
    private void settleWithoutTopic() {
        firstCatchUp.countDown();
        for (Waiter w; (w = arriving.poll()) != null; ) {
            w.done.tryEmitEmpty();
        }
    }

    /** Completes the questions whose partition has been read to the end Kafka reported after they were asked. */
    private void settle() {
        if (firstCatchUp.getCount() > 0 && reached(startupEnds)) {
            firstCatchUp.countDown();
        }
        List<TopicPartition> toAsk = new ArrayList<>();
        for (Waiter w; (w = arriving.poll()) != null; ) {
            w.partition = new TopicPartition(topic, Topics.partitionOf(w.channel, partitionCount));
            waiting.add(w);
            toAsk.add(w.partition);
        }
        if (!toAsk.isEmpty()) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(toAsk, REQUEST_TIMEOUT);
            for (Waiter w : waiting) {
                if (w.target < 0 && ends.containsKey(w.partition)) {
                    w.target = ends.get(w.partition);
                }
            }
        }
        waiting.removeIf(w -> {
            if (w.target < 0 || consumer.position(w.partition, REQUEST_TIMEOUT) < w.target) {
                return false;
            }
            w.done.tryEmitEmpty();
            return true;
        });
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey(), REQUEST_TIMEOUT) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads a record's key or value as a view of the fetched bytes: no copy. The view is only valid while the record
     * is being read.
     */
    public static final class Unread implements Deserializer<ByteBuffer> {

        @Override
        public ByteBuffer deserialize(String topic, byte[] data) {
            return data == null ? null : ByteBuffer.wrap(data);
        }

        @Override
        public ByteBuffer deserialize(String topic, Headers headers, ByteBuffer data) {
            return data;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        LockSupport.unpark(thread);
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
