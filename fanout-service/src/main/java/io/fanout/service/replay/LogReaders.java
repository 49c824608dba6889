package io.fanout.service.replay;

import io.fanout.common.FanoutProperties;
import io.fanout.common.region.RegionProperties;
import io.fanout.common.sequence.SequenceProperties;
import io.fanout.schemas.EventCodec;
import io.fanout.schemas.Topics;
import io.fanout.schemas.UndecodableEventException;
import io.fanout.service.replay.ReplayPlanner.CursorLookup;
import io.fanout.service.replay.ReplayPlanner.LocatedLast;
import io.fanout.service.replay.ReplayPlanner.PartitionOffsets;
import io.fanout.service.replay.ReplayPlanner.TimeLookup;
import io.fanout.service.subscribe.Cursor;
import io.fanout.service.subscribe.EventFrame;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.LogBatch;
import io.fanout.service.subscribe.LogReadRequest;
import io.fanout.service.subscribe.LogSource;
import io.fanout.service.subscribe.OriginPartition;
import io.fanout.service.subscribe.PartitionCursor;
import io.fanout.service.subscribe.PartitionCursor.Mark;
import io.fanout.service.subscribe.SessionEnd;
import io.fanout.service.subscribe.StartPlan;
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
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
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
    private final String home;
    private final Map<String, String> topicsByOrigin;
    private final Map<String, String> originByTopic = new HashMap<>();
    private final ReplayProperties properties;
    private final LastEventsLocator locator;
    private final DelayQueue<Task> tasks = new DelayQueue<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger readers = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Consumer<String, byte[]>> consumers = new ArrayList<>();
    private final Counter recordsRead;
    private final String isolationLevel;
    private volatile boolean running;

    LogReaders(
            ConsumerFactory<?, ?> consumerFactory,
            FanoutProperties fanout,
            RegionProperties region,
            ReplayProperties properties,
            LastEventsLocator locator,
            SequenceProperties sequence,
            MeterRegistry meters) {
        this.consumerFactory = consumerFactory;
        this.isolationLevel = sequence.eventsIsolationLevel();
        this.topic = fanout.topic();
        this.home = region.name();
        this.topicsByOrigin = region.topicsByOrigin(topic);
        topicsByOrigin.forEach((origin, originTopic) -> originByTopic.put(originTopic, origin));
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

        /**
         * By due time, compared as {@code System.nanoTime} values (their difference, which does not overflow): an
         * order that does not move while the queue sorts, unlike two delays read from the clock one after the other.
         */
        @Override
        public int compareTo(Delayed other) {
            return Long.signum(dueNanos - ((Task) other).dueNanos);
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

    private StartPlan plan(Consumer<String, byte[]> consumer, SubscribeRequest request, Subscription subscription) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, KAFKA_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " has no partitions");
        }
        int count = infos.size();
        Set<String> origins = new TreeSet<>();
        topicsByOrigin.forEach((origin, originTopic) -> {
            List<PartitionInfo> found =
                    origin.equals(home) ? infos : consumer.partitionsFor(originTopic, KAFKA_TIMEOUT);
            if (found != null && !found.isEmpty()) {
                origins.add(origin); // a mirror topic not there yet is read from its beginning once it appears
            }
        });
        Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
        for (String channel : request.channels()) {
            byPartition
                    .computeIfAbsent(Topics.partitionOf(channel, count), p -> new ArrayList<>())
                    .add(channel);
        }
        Set<OriginPartition> partitions = new TreeSet<>();
        for (String origin : origins) {
            byPartition.keySet().forEach(p -> partitions.add(new OriginPartition(origin, p)));
        }
        if (request.cursor() instanceof Cursor.FromPositions positions) {
            positions.nextOffsets().keySet().stream()
                    .filter(p -> p < count)
                    .forEach(p -> partitions.add(new OriginPartition(home, p)));
            positions.mirrored().keySet().stream()
                    .filter(at -> at.partition() < count && origins.contains(at.origin()))
                    .forEach(partitions::add);
        }
        Map<OriginPartition, TopicPartition> tps = new LinkedHashMap<>();
        partitions.forEach(at -> tps.put(at, topicPartition(at)));
        Map<TopicPartition, Long> begins = consumer.beginningOffsets(tps.values(), KAFKA_TIMEOUT);
        Map<TopicPartition, Long> ends = consumer.endOffsets(tps.values(), KAFKA_TIMEOUT);
        Map<OriginPartition, PartitionOffsets> offsets = new HashMap<>();
        tps.forEach((at, tp) -> offsets.put(at, new PartitionOffsets(begins.get(tp), ends.get(tp))));
        Map<OriginPartition, Long> times = new HashMap<>();
        Map<OriginPartition, CursorLookup> found = new HashMap<>();
        if (request.cursor() instanceof Cursor.Since from) {
            partitions.forEach(at -> times.put(at, from.epochMillis()));
        } else if (request.cursor() instanceof Cursor.Resume resume) {
            for (OriginPartition at : partitions) {
                PartitionCursor named = resume.partitions().get(at.partition());
                Mark mark = named == null ? null : named.marks().get(at.origin());
                if (mark == null) {
                    times.put(at, resume.oldestTimestamp());
                } else if (!mark.isBeginning()) {
                    found.put(at, lookup(consumer, tps.get(at), mark, offsets.get(at), subscription));
                }
            }
        }
        Map<OriginPartition, TimeLookup> since = new HashMap<>();
        if (!times.isEmpty()) {
            Map<TopicPartition, Long> query = new HashMap<>();
            times.forEach((at, time) -> query.put(tps.get(at), time));
            Map<TopicPartition, OriginPartition> back = new HashMap<>();
            tps.forEach((at, tp) -> back.put(tp, at));
            consumer.offsetsForTimes(query, KAFKA_TIMEOUT).forEach((tp, at) -> {
                if (at != null) {
                    since.put(back.get(tp), new TimeLookup(at.offset(), at.timestamp()));
                }
            });
        }
        Map<OriginPartition, LocatedLast> last = new HashMap<>();
        if (request.cursor() instanceof Cursor.Last wanted) {
            LastEventsLocator.Budget budget = locator.new Budget(subscription::ended);
            byPartition.forEach((partition, channels) -> {
                OriginPartition at = new OriginPartition(home, partition);
                last.put(
                        at,
                        locator.locate(
                                consumer, tps.get(at), channels, wanted.count(), offsets.get(at), budget, recordsRead));
            });
        }
        StartPlan plan = ReplayPlanner.plan(
                request.cursor(), home, partitions, new ReplayPlanner.Facts(offsets, since, last, found));
        return plan.refusal() != null ? plan : withMarks(consumer, plan, offsets, tps);
    }

    /**
     * {@code plan} with a cursor mark for every partition it starts: where the planner gave none, the last Event among
     * the {@link PartitionCursor#MARK_LOOKBACK} records before the start (read now, delivered to nobody; transaction
     * markers take offsets), or "from the beginning" at offset 0; so the stream's cursor
     * names all its partitions from its first event on. A partition whose previous record is gone or is no Event
     * stays without a mark (the first read tries again).
     */
    private StartPlan withMarks(
            Consumer<String, byte[]> consumer,
            StartPlan plan,
            Map<OriginPartition, PartitionOffsets> offsets,
            Map<OriginPartition, TopicPartition> tps) {
        Map<OriginPartition, Mark> marks = new HashMap<>(plan.marks());
        Map<TopicPartition, Long> seeks = new HashMap<>();
        Map<TopicPartition, Long> starts = new HashMap<>();
        plan.start().forEach((at, start) -> {
            PartitionOffsets bounds = offsets.get(at);
            if (marks.containsKey(at) || bounds == null) {
                return;
            }
            if (start == 0) {
                marks.put(at, Mark.BEGINNING);
            } else if (start - 1 >= bounds.begin() && start - 1 < bounds.end()) {
                seeks.put(tps.get(at), Math.max(bounds.begin(), start - PartitionCursor.MARK_LOOKBACK));
                starts.put(tps.get(at), start);
            }
        });
        if (!seeks.isEmpty()) {
            consumer.assign(seeks.keySet());
            seeks.forEach(consumer::seek);
            Set<TopicPartition> pending = new java.util.HashSet<>(seeks.keySet());
            long deadline = System.nanoTime() + KAFKA_TIMEOUT.toNanos();
            while (!pending.isEmpty() && System.nanoTime() - deadline < 0) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                for (TopicPartition tp : List.copyOf(pending)) {
                    List<ConsumerRecord<String, byte[]>> polled = records.records(tp);
                    if (polled.isEmpty()) {
                        continue;
                    }
                    recordsRead.increment(polled.size());
                    ConsumerRecord<String, byte[]> last = null; // the last Event before the start
                    for (ConsumerRecord<String, byte[]> record : polled) {
                        if (record.offset() < starts.get(tp) && EventCodec.isEvent(record.value())) {
                            last = record;
                        }
                    }
                    if (last != null) {
                        marks.put(originPartition(tp), new Mark(last.timestamp(), idOf(last)));
                    }
                    pending.remove(tp);
                    consumer.pause(List.of(tp));
                }
            }
            consumer.resume(consumer.paused());
        }
        return new StartPlan(plan.start(), plan.exact(), plan.exactEnd(), marks, plan.notices(), plan.refusal());
    }

    /**
     * Finds a cursor's event in one origin partition: {@code offsetsForTimes} of its time is a lower bound of its
     * offset (its own timestamp is that time), then a forward read until its id, bounded in records
     * ({@code cursor-scan-records}) and time ({@code last-scan-time}), up to the log end seen now.
     */
    private CursorLookup lookup(
            Consumer<String, byte[]> consumer,
            TopicPartition tp,
            Mark mark,
            PartitionOffsets bounds,
            Subscription subscription) {
        OffsetAndTimestamp from = consumer.offsetsForTimes(Map.of(tp, mark.timestamp()), KAFKA_TIMEOUT)
                .get(tp);
        if (from != null && from.offset() < bounds.end()) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, Math.max(from.offset(), bounds.begin()));
            long scanned = 0;
            long deadline = System.nanoTime() + properties.lastScanTime().toNanos();
            while (consumer.position(tp) < bounds.end()) {
                if (scanned >= properties.cursorScanRecords()
                        || System.nanoTime() - deadline > 0
                        || subscription.ended()) {
                    return CursorLookup.cut();
                }
                List<ConsumerRecord<String, byte[]>> records =
                        consumer.poll(POLL).records(tp);
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (record.offset() >= bounds.end()) {
                        break;
                    }
                    if (EventCodec.isEvent(record.value()) && mark.id().equals(idOf(record))) {
                        return CursorLookup.found(record.offset());
                    }
                }
                scanned += records.size();
                recordsRead.increment(records.size());
            }
        }
        return CursorLookup.notFound(firstKeptTimestamp(consumer, tp, bounds));
    }

    /** The timestamp of the partition's first kept record, or {@code -1} when it keeps none. */
    private long firstKeptTimestamp(Consumer<String, byte[]> consumer, TopicPartition tp, PartitionOffsets bounds) {
        if (bounds.begin() >= bounds.end()) {
            return -1;
        }
        consumer.assign(List.of(tp));
        consumer.seek(tp, bounds.begin());
        long deadline = System.nanoTime() + KAFKA_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            List<ConsumerRecord<String, byte[]>> records = consumer.poll(POLL).records(tp);
            if (!records.isEmpty()) {
                return records.get(0).timestamp();
            }
        }
        throw new IllegalStateException("could not read the first record of " + tp);
    }

    // ---------------------------------------------------------------- reading

    /**
     * One bounded read. A partition whose cursor mark the session does not know is read from a few records earlier
     * ({@code from - MARK_LOOKBACK}, delivered to nobody) so that its events carry a cursor that names it.
     */
    private LogBatch read(Consumer<String, byte[]> consumer, LogReadRequest request) {
        Map<OriginPartition, TopicPartition> tps = new LinkedHashMap<>();
        new TreeSet<>(request.from().keySet()).forEach(at -> tps.put(at, topicPartition(at)));
        Map<TopicPartition, Long> ends = consumer.endOffsets(tps.values(), KAFKA_TIMEOUT);
        Map<OriginPartition, Long> readThrough = new HashMap<>();
        Map<TopicPartition, Long> seeks = new LinkedHashMap<>();
        Map<TopicPartition, Long> requested = new HashMap<>();
        Marks marks = new Marks(request.marks());
        tps.forEach((at, tp) -> {
            long from = request.from().get(at);
            long end = ends.getOrDefault(tp, from);
            readThrough.put(at, from);
            List<Long> exact = request.exact().getOrDefault(at, List.of());
            if (!exact.isEmpty()) {
                seeks.put(tp, exact.get(0));
                requested.put(tp, exact.get(0));
            } else if (from < limit(request, at, end)) {
                boolean seed = from > 0 && !marks.knows(at);
                seeks.put(tp, seed ? Math.max(0, from - PartitionCursor.MARK_LOOKBACK) : from);
                requested.put(tp, from);
            }
            if (from == 0 && !marks.knows(at)) {
                marks.beginning(at);
            }
        });
        List<Frame> notices = new ArrayList<>();
        List<EventFrame> events = new ArrayList<>();
        if (!seeks.isEmpty()) {
            ConsumerRecords<String, byte[]> records = poll(consumer, seeks, requested, notices, readThrough);
            tps.forEach((at, tp) -> {
                if (!seeks.containsKey(tp)) {
                    return;
                }
                List<ConsumerRecord<String, byte[]>> polled = records.records(tp);
                recordsRead.increment(polled.size());
                List<Long> exact = request.exact().getOrDefault(at, List.of());
                long through = exact.isEmpty()
                        ? scan(
                                polled,
                                request,
                                at,
                                limit(request, at, ends.get(tp)),
                                consumer.position(tp),
                                marks,
                                events)
                        : exact(polled, request, at, exact, request.exactEnd().get(at), marks, events);
                readThrough.merge(at, through, Math::max);
            });
        }
        long lag = 0;
        boolean atEnd = true;
        for (Map.Entry<OriginPartition, TopicPartition> entry : tps.entrySet()) {
            long end = ends.getOrDefault(entry.getValue(), 0L);
            long through = readThrough.get(entry.getKey());
            lag += Math.max(0, end - through);
            atEnd &= through >= end && !request.exact().containsKey(entry.getKey());
        }
        return new LogBatch(notices, events, readThrough, marks.known(), atEnd, lag);
    }

    private static long limit(LogReadRequest request, OriginPartition at, long end) {
        // a partition the live consumer does not follow yet is live from 0 once it does
        return request.upTo() == null ? end : Math.min(end, request.upTo().getOrDefault(at, 0L));
    }

    /** Seeks and polls once; a position retention removed becomes a truncation notice and the log start. */
    private ConsumerRecords<String, byte[]> poll(
            Consumer<String, byte[]> consumer,
            Map<TopicPartition, Long> seeks,
            Map<TopicPartition, Long> requested,
            List<Frame> notices,
            Map<OriginPartition, Long> readThrough) {
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
                    long asked = requested.get(tp);
                    long earliest = begins.get(tp);
                    OriginPartition at = originPartition(tp);
                    if (asked < earliest) {
                        notices.add(TruncationNotice.ofOffset(tp.partition(), asked, earliest)
                                .from(at.origin().equals(home) ? null : at.origin()));
                        readThrough.merge(at, earliest, Math::max);
                        consumer.seek(tp, earliest);
                    } else if (seeks.get(tp) < earliest) {
                        consumer.seek(tp, earliest); // some records before it, read for its cursor mark, are gone
                    } else {
                        consumer.seek(tp, Math.min(asked, ends.get(tp))); // past the end: wait there
                    }
                }
            }
        }
    }

    /** Keeps the subscription's events below {@code limit}; returns how far the log was looked at. */
    private long scan(
            List<ConsumerRecord<String, byte[]>> polled,
            LogReadRequest request,
            OriginPartition at,
            long limit,
            long position,
            Marks marks,
            List<EventFrame> events) {
        long from = request.from().get(at);
        for (ConsumerRecord<String, byte[]> record : polled) {
            if (record.offset() >= limit) {
                return limit;
            }
            marks.pass(at, record);
            if (record.offset() >= from) { // below: the record read only for its mark
                addIfOurs(record, request, at, marks, events);
            }
        }
        return Math.min(limit, position);
    }

    /** Keeps exactly the events at {@code exact} offsets; returns the next wanted offset, or {@code exactEnd}. */
    private long exact(
            List<ConsumerRecord<String, byte[]>> polled,
            LogReadRequest request,
            OriginPartition at,
            List<Long> exact,
            long exactEnd,
            Marks marks,
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
            marks.pass(at, record);
            if (pending.peek() == record.offset()) {
                pending.poll();
                addIfOurs(record, request, at, marks, events);
            }
        }
        return pending.isEmpty() ? exactEnd : pending.peek();
    }

    /** Records without a key, of other channels, or whose value is not an Event are not the subscription's. */
    private void addIfOurs(
            ConsumerRecord<String, byte[]> record,
            LogReadRequest request,
            OriginPartition at,
            Marks marks,
            List<EventFrame> events) {
        String channel = record.key();
        if (channel == null || !request.channels().contains(channel)) {
            return;
        }
        try {
            events.add(EventFrame.ofValue(
                    channel,
                    at.origin(),
                    record.partition(),
                    record.offset(),
                    record.timestamp(),
                    marks.cursor(at.partition(), topicsByOrigin.keySet()),
                    record.value()));
        } catch (UndecodableEventException e) {
            // not an Event: live delivery skips it too
        }
    }

    /**
     * The cursor marks of one read: per origin partition, the last Event record passed, from what the session knew
     * and what this read passed since (whose ids are read only when a cursor or the batch needs them).
     */
    private static final class Marks {

        private final Map<OriginPartition, Mark> known;
        private final Map<OriginPartition, ConsumerRecord<String, byte[]>> passed = new HashMap<>();

        Marks(Map<OriginPartition, Mark> known) {
            this.known = new HashMap<>(known);
        }

        boolean knows(OriginPartition at) {
            return known.containsKey(at);
        }

        void beginning(OriginPartition at) {
            known.put(at, Mark.BEGINNING);
        }

        void pass(OriginPartition at, ConsumerRecord<String, byte[]> record) {
            if (EventCodec.isEvent(record.value())) {
                passed.put(at, record);
            }
        }

        Mark of(OriginPartition at) {
            ConsumerRecord<String, byte[]> record = passed.get(at);
            if (record != null) {
                Mark mark = new Mark(record.timestamp(), idOf(record));
                known.put(at, mark);
                passed.remove(at);
                return mark;
            }
            return known.get(at);
        }

        PartitionCursor cursor(int partition, Set<String> origins) {
            Map<String, Mark> marks = new HashMap<>();
            for (String origin : origins) {
                Mark mark = of(new OriginPartition(origin, partition));
                if (mark != null) {
                    marks.put(origin, mark);
                }
            }
            return new PartitionCursor(partition, marks);
        }

        Map<OriginPartition, Mark> known() {
            Set.copyOf(passed.keySet()).forEach(this::of);
            return known;
        }
    }

    private static String idOf(ConsumerRecord<String, byte[]> record) {
        try {
            return EventCodec.idOf(record.value());
        } catch (RuntimeException e) {
            return ""; // a header like an Event's over a broken body: a mark no id matches
        }
    }

    private TopicPartition topicPartition(OriginPartition at) {
        String originTopic = topicsByOrigin.get(at.origin());
        if (originTopic == null) {
            throw new IllegalArgumentException("no topic for origin " + at.origin());
        }
        return new TopicPartition(originTopic, at.partition());
    }

    private OriginPartition originPartition(TopicPartition tp) {
        return new OriginPartition(originByTopic.get(tp.topic()), tp.partition());
    }

    private Consumer<String, byte[]> newConsumer(int index) {
        Properties overrides = new Properties();
        overrides.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, properties.pollRecords());
        int fetchBytes =
                (int) Math.min(Integer.MAX_VALUE, properties.fetchBytes().toBytes());
        overrides.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetchBytes);
        // each read seeks, mostly for another session, so what a fetch brings beyond one read is mostly dropped:
        // fetch about one read per partition
        overrides.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, (int)
                Math.min(fetchBytes, properties.partitionFetchBytes().toBytes()));
        overrides.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        // sequenced: the sequencer writes in transactions; never send what it aborted (endOffsets is then the last
        // stable offset)
        overrides.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        return (Consumer<String, byte[]>)
                consumerFactory.createConsumer(null, "fanout-log-reader", "-" + index, overrides);
    }
}
