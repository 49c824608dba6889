package io.fanout.service.replay;

import io.fanout.common.FanoutProperties;
import io.fanout.schemas.EventCodec;
import io.fanout.schemas.Topics;
import io.fanout.schemas.avro.Event;
import io.fanout.service.replay.ReplayPlanner.LocatedLast;
import io.fanout.service.replay.ReplayPlanner.PartitionOffsets;
import io.fanout.service.replay.ReplayPlanner.TimeLookup;
import io.fanout.service.subscribe.Cursor;
import io.fanout.service.subscribe.EventFrame;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.LogBatch;
import io.fanout.service.subscribe.LogReadRequest;
import io.fanout.service.subscribe.LogSource;
import io.fanout.service.subscribe.SessionEnd;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.Subscription;
import io.fanout.service.subscribe.Subscriptions;
import io.fanout.service.subscribe.TruncationNotice;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
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
 * The shared, bounded pool of log readers: {@code fanout.replay.threads} threads, each with ONE Kafka consumer that
 * it assigns and seeks per task. Every session that reads the log (a cursor's history, or catching up after it fell
 * behind) queues one task at a time here, never a consumer of its own: a plan ({@link ReplayPlanner} with the Kafka
 * I/O around it) or one read of at most {@code poll-records} records and {@code fetch-bytes}, handed back to the
 * session, which queues the next only when its client has taken that one. A read never runs before the session's
 * pace allows ({@code max-events-per-second}). Failed Kafka calls are retried for a while, then the session is ended
 * ({@link SessionEnd.Reason#LOG_UNAVAILABLE}, a retryable close).
 *
 * <p>Metrics: {@code fanout.replay.readers} (Kafka consumers open for log reads, at most {@code threads}),
 * {@code fanout.replay.active} (sessions with log work queued or running), {@code fanout.replay.records.read}.
 */
@Component
class LogReaders implements LogSource, Subscriptions.LogPacing, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LogReaders.class);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int ATTEMPTS = 5;

    private final ConsumerFactory<?, ?> consumerFactory;
    private final String topic;
    private final ReplayProperties properties;
    private final LastEventsLocator locator;
    private final DelayQueue<Task> tasks = new DelayQueue<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger readers = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Consumer<String, byte[]>> consumers = new ArrayList<>();
    private final Counter recordsRead;
    private volatile boolean running;

    LogReaders(
            ConsumerFactory<?, ?> consumerFactory,
            FanoutProperties fanout,
            ReplayProperties properties,
            LastEventsLocator locator,
            MeterRegistry meters) {
        this.consumerFactory = consumerFactory;
        this.topic = fanout.topic();
        this.properties = properties;
        this.locator = locator;
        Gauge.builder("fanout.replay.active", active, AtomicInteger::get)
                .description("sessions with log reading queued or running")
                .register(meters);
        Gauge.builder("fanout.replay.readers", readers, AtomicInteger::get)
                .description("Kafka consumers open for reading the log")
                .register(meters);
        this.recordsRead = Counter.builder("fanout.replay.records.read")
                .description("records read from Kafka by the log readers")
                .register(meters);
    }

    @Override
    public int maxEventsPerSecond() {
        return properties.maxEventsPerSecond();
    }

    @Override
    public void plan(Subscription subscription, SubscribeRequest request) {
        submit(new Task(subscription, request, null, 0, 0));
    }

    @Override
    public void read(Subscription subscription, LogReadRequest request) {
        submit(new Task(subscription, null, request, request.notBeforeNanos(), 0));
    }

    private void submit(Task task) {
        active.incrementAndGet();
        tasks.offer(task);
    }

    /** One piece of log work for one session: a plan or a read. */
    private record Task(
            Subscription subscription, SubscribeRequest plan, LogReadRequest read, long dueNanos, int attempt)
            implements Delayed {

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }

    @Override
    public void start() {
        running = true;
        for (int i = 0; i < properties.threads(); i++) {
            Consumer<String, byte[]> consumer = newConsumer(i);
            consumers.add(consumer);
            readers.incrementAndGet();
            Thread thread = new Thread(() -> run(consumer), "fanout-log-reader-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    @Override
    public void stop() {
        running = false;
        consumers.forEach(Consumer::wakeup);
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
        consumers.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run(Consumer<String, byte[]> consumer) {
        try (consumer) {
            while (running) {
                Task task;
                try {
                    task = tasks.take();
                } catch (InterruptedException e) {
                    return;
                }
                runTask(consumer, task);
            }
        } catch (WakeupException e) {
            // stopping
        } finally {
            readers.decrementAndGet();
        }
    }

    private void runTask(Consumer<String, byte[]> consumer, Task task) {
        Subscription subscription = task.subscription();
        try {
            if (subscription.ended()) {
                return;
            }
            if (task.plan() != null) {
                subscription.planned(plan(consumer, task.plan(), subscription));
            } else {
                subscription.logRead(read(consumer, task.read()));
            }
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            if (task.attempt() + 1 < ATTEMPTS && running) {
                log.debug("log read failed, retrying: {}", e.toString());
                active.incrementAndGet();
                tasks.offer(new Task(
                        subscription,
                        task.plan(),
                        task.read(),
                        System.nanoTime() + Duration.ofSeconds(1).toNanos(),
                        task.attempt() + 1));
            } else {
                log.warn(
                        "log read for {} failed {} times, ending the session: {}",
                        subscription.channels(),
                        ATTEMPTS,
                        e.toString());
                subscription.fail(SessionEnd.Reason.LOG_UNAVAILABLE, "history unavailable; retry shortly");
            }
        } finally {
            active.decrementAndGet();
        }
    }

    // ---------------------------------------------------------------- planning

    private io.fanout.service.subscribe.StartPlan plan(
            Consumer<String, byte[]> consumer, SubscribeRequest request, Subscription subscription) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, KAFKA_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " has no partitions");
        }
        int count = infos.size();
        Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
        for (String channel : request.channels()) {
            byPartition
                    .computeIfAbsent(Topics.partitionOf(channel, count), p -> new ArrayList<>())
                    .add(channel);
        }
        Set<Integer> partitions = new TreeSet<>(byPartition.keySet());
        if (request.cursor() instanceof Cursor.FromPositions positions) {
            positions.nextOffsets().keySet().stream().filter(p -> p < count).forEach(partitions::add);
        }
        List<TopicPartition> tps =
                partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
        Map<TopicPartition, Long> begins = consumer.beginningOffsets(tps, KAFKA_TIMEOUT);
        Map<TopicPartition, Long> ends = consumer.endOffsets(tps, KAFKA_TIMEOUT);
        Map<Integer, PartitionOffsets> offsets = new HashMap<>();
        for (TopicPartition tp : tps) {
            offsets.put(tp.partition(), new PartitionOffsets(begins.get(tp), ends.get(tp)));
        }
        Map<Integer, TimeLookup> since = new HashMap<>();
        if (request.cursor() instanceof Cursor.Since from) {
            Map<TopicPartition, Long> query = new HashMap<>();
            tps.forEach(tp -> query.put(tp, from.epochMillis()));
            consumer.offsetsForTimes(query, KAFKA_TIMEOUT).forEach((tp, found) -> {
                if (found != null) {
                    since.put(tp.partition(), new TimeLookup(found.offset(), found.timestamp()));
                }
            });
        }
        Map<Integer, LocatedLast> last = new HashMap<>();
        if (request.cursor() instanceof Cursor.Last wanted) {
            LastEventsLocator.Budget budget = locator.new Budget(subscription::ended);
            byPartition.forEach((partition, channels) -> last.put(
                    partition,
                    locator.locate(
                            consumer,
                            new TopicPartition(topic, partition),
                            channels,
                            wanted.count(),
                            offsets.get(partition),
                            budget,
                            recordsRead)));
        }
        return ReplayPlanner.plan(request.cursor(), partitions, offsets, since, last);
    }

    // ---------------------------------------------------------------- reading

    private LogBatch read(Consumer<String, byte[]> consumer, LogReadRequest request) {
        List<TopicPartition> tps = request.from().keySet().stream()
                .map(p -> new TopicPartition(topic, p))
                .toList();
        Map<TopicPartition, Long> ends = consumer.endOffsets(tps, KAFKA_TIMEOUT);
        Map<Integer, Long> readThrough = new HashMap<>();
        Map<TopicPartition, Long> seeks = new HashMap<>();
        for (TopicPartition tp : tps) {
            int partition = tp.partition();
            long from = request.from().get(partition);
            long end = ends.getOrDefault(tp, from);
            readThrough.put(partition, from);
            List<Long> exact = request.exact().getOrDefault(partition, List.of());
            if (!exact.isEmpty()) {
                seeks.put(tp, exact.get(0));
            } else if (from < limit(request, partition, end)) {
                seeks.put(tp, from);
            }
        }
        List<Frame> notices = new ArrayList<>();
        List<EventFrame> events = new ArrayList<>();
        if (!seeks.isEmpty()) {
            ConsumerRecords<String, byte[]> records = poll(consumer, seeks, request, notices, readThrough);
            for (TopicPartition tp : seeks.keySet()) {
                int partition = tp.partition();
                List<ConsumerRecord<String, byte[]>> polled = records.records(tp);
                recordsRead.increment(polled.size());
                List<Long> exact = request.exact().getOrDefault(partition, List.of());
                long through = exact.isEmpty()
                        ? scan(polled, request, limit(request, partition, ends.get(tp)), consumer.position(tp), events)
                        : exact(polled, request, exact, request.exactEnd().get(partition), events);
                readThrough.merge(partition, through, Math::max);
            }
        }
        long lag = 0;
        boolean atEnd = true;
        for (TopicPartition tp : tps) {
            long end = ends.getOrDefault(tp, 0L);
            long through = readThrough.get(tp.partition());
            lag += Math.max(0, end - through);
            atEnd &= through >= end && !request.exact().containsKey(tp.partition());
        }
        return new LogBatch(notices, events, readThrough, atEnd, lag);
    }

    private static long limit(LogReadRequest request, int partition, long end) {
        // a partition the live consumer does not follow yet is live from 0 once it does
        return request.upTo() == null ? end : Math.min(end, request.upTo().getOrDefault(partition, 0L));
    }

    /** Seeks and polls once; a position retention removed becomes a truncation notice and the log start. */
    private ConsumerRecords<String, byte[]> poll(
            Consumer<String, byte[]> consumer,
            Map<TopicPartition, Long> seeks,
            LogReadRequest request,
            List<Frame> notices,
            Map<Integer, Long> readThrough) {
        consumer.assign(seeks.keySet());
        seeks.forEach(consumer::seek);
        for (int attempt = 0; ; attempt++) {
            try {
                return consumer.poll(POLL);
            } catch (OffsetOutOfRangeException e) {
                if (attempt >= 3) {
                    throw e;
                }
                Map<TopicPartition, Long> begins = consumer.beginningOffsets(e.partitions(), KAFKA_TIMEOUT);
                Map<TopicPartition, Long> ends = consumer.endOffsets(e.partitions(), KAFKA_TIMEOUT);
                for (TopicPartition tp : e.partitions()) {
                    long requested = seeks.get(tp);
                    long earliest = begins.get(tp);
                    if (requested < earliest) {
                        notices.add(TruncationNotice.ofOffset(tp.partition(), requested, earliest));
                        readThrough.merge(tp.partition(), earliest, Math::max);
                        consumer.seek(tp, earliest);
                    } else {
                        consumer.seek(tp, Math.min(requested, ends.get(tp))); // past the end: wait there
                    }
                }
            }
        }
    }

    /** Keeps the subscription's events below {@code limit}; returns how far the log was looked at. */
    private long scan(
            List<ConsumerRecord<String, byte[]>> polled,
            LogReadRequest request,
            long limit,
            long position,
            List<EventFrame> events) {
        for (ConsumerRecord<String, byte[]> record : polled) {
            if (record.offset() >= limit) {
                return limit;
            }
            addIfOurs(record, request, events);
        }
        return Math.min(limit, position);
    }

    /** Keeps exactly the events at {@code exact} offsets; returns the next wanted offset, or {@code exactEnd}. */
    private long exact(
            List<ConsumerRecord<String, byte[]>> polled,
            LogReadRequest request,
            List<Long> exact,
            long exactEnd,
            List<EventFrame> events) {
        ArrayDeque<Long> pending = new ArrayDeque<>(exact);
        for (ConsumerRecord<String, byte[]> record : polled) {
            if (record.offset() >= exactEnd) {
                pending.clear();
                break;
            }
            while (!pending.isEmpty() && pending.peek() < record.offset()) {
                pending.poll(); // gone (deleted, compacted or aborted): nothing to send
            }
            if (pending.isEmpty()) {
                break;
            }
            if (pending.peek() == record.offset()) {
                pending.poll();
                addIfOurs(record, request, events);
            }
        }
        return pending.isEmpty() ? exactEnd : pending.peek();
    }

    /** Records without a key, of other channels, or whose value is not an Event are not the subscription's. */
    private static void addIfOurs(
            ConsumerRecord<String, byte[]> record, LogReadRequest request, List<EventFrame> events) {
        String channel = record.key();
        if (channel == null || !request.channels().contains(channel)) {
            return;
        }
        Event event;
        try {
            event = EventCodec.decode(record.value());
        } catch (RuntimeException e) {
            return; // not an Event: live delivery skips it too
        }
        events.add(EventFrame.of(
                channel, record.partition(), record.offset(), record.timestamp(), event.getId(), event.getMessage()));
    }

    @SuppressWarnings("unchecked")
    private Consumer<String, byte[]> newConsumer(int index) {
        Properties overrides = new Properties();
        overrides.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, properties.pollRecords());
        int fetchBytes =
                (int) Math.min(Integer.MAX_VALUE, properties.fetchBytes().toBytes());
        overrides.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetchBytes);
        overrides.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Math.min(fetchBytes, 1024 * 1024));
        overrides.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        return (Consumer<String, byte[]>)
                consumerFactory.createConsumer(null, "fanout-log-reader", "-" + index, overrides);
    }
}
