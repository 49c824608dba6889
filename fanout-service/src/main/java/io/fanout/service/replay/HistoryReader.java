package io.fanout.service.replay;

import io.fanout.common.FanoutProperties;
import io.fanout.schemas.Topics;
import io.fanout.service.subscribe.Cursor;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.TruncationNotice;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Opens {@link Replay}s: for a subscription with a cursor, works out per partition what history to read
 * and where live delivery takes over, with a Kafka consumer of the replay's own. All Kafka calls run on
 * the replay threads, never on an event loop or the live consumer's thread. At most
 * {@code fanout.replay.max-active} replays run at once; beyond that {@link #open} fails with
 * {@link ReplayRefusedException}.
 *
 * <p>Call {@link #open} only after the subscription registered for live events: the end offsets read
 * here are then a hand-over point that live delivery covers from, so nothing falls between the two.
 */
@Component
public class HistoryReader {

    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

    private final ConsumerFactory<?, ?> consumerFactory;
    private final String topic;
    private final ReplayProperties properties;
    private final RecentOffsetsClient directory;
    private final Scheduler scheduler;
    private final AtomicInteger active = new AtomicInteger();
    private final Counter scannedBackward;
    private final Counter indexHits;
    private final Counter indexMisses;
    final Counter recordsRead;

    public HistoryReader(ConsumerFactory<?, ?> consumerFactory, FanoutProperties fanout, ReplayProperties properties,
            RecentOffsetsClient directory, MeterRegistry meters) {
        this.consumerFactory = consumerFactory;
        this.topic = fanout.topic();
        this.properties = properties;
        this.directory = directory;
        this.scheduler = Schedulers.newBoundedElastic(properties.threads(), properties.maxActive() * 8, "replay", 60,
                true);
        Gauge.builder("fanout.replay.active", active, AtomicInteger::get).description("replays running")
                .register(meters);
        this.recordsRead = Counter.builder("fanout.replay.records.read")
                .description("records read from Kafka by history readers").register(meters);
        this.scannedBackward = Counter.builder("fanout.replay.records.scanned.backward")
                .description("records read searching backwards for last=N").register(meters);
        this.indexHits = Counter.builder("fanout.replay.last.lookups").tag("source", "directory")
                .description("last=N served by the directory's recent-offsets index").register(meters);
        this.indexMisses = Counter.builder("fanout.replay.last.lookups").tag("source", "backward-scan")
                .description("last=N served by a bounded backward read").register(meters);
    }

    /** Plans the replay of {@code request} on a replay thread; the replay's consumer is closed by the replay. */
    public Mono<Replay> open(SubscribeRequest request) {
        return Mono.fromCallable(() -> plan(request)).subscribeOn(scheduler);
    }

    private Replay plan(SubscribeRequest request) {
        if (active.incrementAndGet() > properties.maxActive()) {
            active.decrementAndGet();
            throw new ReplayRefusedException("too many replays on this instance; retry shortly");
        }
        Consumer<String, byte[]> consumer = null;
        try {
            consumer = newConsumer();
            Map<Integer, List<String>> channelsByPartition = channelsByPartition(consumer, request.channels());
            List<TopicPartition> partitions = channelsByPartition.keySet().stream()
                    .map(p -> new TopicPartition(topic, p)).toList();
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, KAFKA_TIMEOUT);
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, KAFKA_TIMEOUT);

            Map<Integer, Long> liveFrom = new TreeMap<>();
            List<TruncationNotice> notices = new ArrayList<>();
            List<PartitionPlan> plans = new ArrayList<>();
            Map<Integer, Long> sinceOffsets = request.cursor() instanceof Cursor.Since since
                    ? offsetsForTime(consumer, partitions, since.epochMillis(), ends) : Map.of();
            for (Map.Entry<Integer, List<String>> entry : channelsByPartition.entrySet()) {
                int partition = entry.getKey();
                TopicPartition tp = new TopicPartition(topic, partition);
                long end = ends.get(tp);
                long logStart = starts.get(tp);
                Long requested = requestedStart(request.cursor(), partition, sinceOffsets);
                if (request.cursor() instanceof Cursor.Last last) {
                    List<Long> offsets = lastOffsets(consumer, tp, entry.getValue(), last.count(), logStart, end);
                    Map<String, Long> startByChannel = new HashMap<>();
                    entry.getValue().forEach(c -> startByChannel.put(c, logStart));
                    plans.add(PartitionPlan.exact(partition, startByChannel, end, offsets));
                    liveFrom.put(partition, end);
                    continue;
                }
                if (requested == null) {
                    liveFrom.put(partition, end);
                    continue;
                }
                long start = requested;
                if (start < logStart) {
                    notices.add(new TruncationNotice(partition, requested, logStart));
                    start = logStart;
                }
                liveFrom.put(partition, Math.max(start, end));
                if (start < end) {
                    Map<String, Long> startByChannel = new HashMap<>();
                    for (String channel : entry.getValue()) {
                        startByChannel.put(channel, start);
                    }
                    plans.add(PartitionPlan.scan(partition, startByChannel, end));
                }
            }
            return new Replay(consumer, topic, plans, notices, liveFrom, scheduler, this::release, recordsRead,
                    properties.maxEventsPerSecond());
        } catch (RuntimeException e) {
            if (consumer != null) {
                consumer.close(Duration.ZERO);
            }
            release();
            throw e;
        }
    }

    private static Long requestedStart(Cursor cursor, int partition, Map<Integer, Long> sinceOffsets) {
        if (cursor instanceof Cursor.FromOffset from) {
            return from.offset();
        }
        if (cursor instanceof Cursor.FromPositions from) {
            return from.nextOffsets().get(partition);
        }
        if (cursor instanceof Cursor.Since) {
            return sinceOffsets.get(partition);
        }
        return null;
    }

    private void release() {
        active.decrementAndGet();
    }

    private Map<Integer, List<String>> channelsByPartition(Consumer<String, byte[]> consumer, List<String> channels) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, KAFKA_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " has no partitions");
        }
        Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
        for (String channel : channels) {
            int partition = Topics.partitionOf(channel, infos.size());
            byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(channel);
        }
        return byPartition;
    }

    private Map<Integer, Long> offsetsForTime(Consumer<String, byte[]> consumer, List<TopicPartition> partitions,
            long epochMillis, Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, epochMillis));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, KAFKA_TIMEOUT);
        Map<Integer, Long> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp at = found.get(tp);
            offsets.put(tp.partition(), at == null ? ends.get(tp) : at.offset());
        }
        return offsets;
    }

    /**
     * Offsets of the last {@code count} events of each channel in {@code [logStart, end)}, ascending: from the
     * directory's index when it knows them (then only the part of the log the index has not reached yet is
     * read), else by reading backwards from {@code end} in doubling steps.
     */
    private List<Long> lastOffsets(Consumer<String, byte[]> consumer, TopicPartition tp, List<String> channels,
            int count, long logStart, long end) {
        TreeSet<Long> wanted = new TreeSet<>();
        for (String channel : channels) {
            Optional<RecentOffsetsClient.Recent> indexed = directory.recent(channel, count);
            List<Long> offsets;
            if (indexed.isPresent()) {
                indexHits.increment();
                List<Long> found = new ArrayList<>(indexed.get().offsets().stream()
                        .filter(o -> o >= logStart && o < end).toList());
                // only the part of the log the directory has not read yet needs a scan
                long tailFrom = indexed.get().lastKnownOffset() + 1;
                if (tailFrom > 0 && tailFrom < end) {
                    found.addAll(scanForChannel(consumer, tp, channel, tailFrom, end, null));
                }
                offsets = found.size() > count ? found.subList(found.size() - count, found.size()) : found;
            } else {
                indexMisses.increment();
                offsets = backward(consumer, tp, channel, count, logStart, end);
            }
            wanted.addAll(offsets);
        }
        return new ArrayList<>(wanted);
    }

    private List<Long> backward(Consumer<String, byte[]> consumer, TopicPartition tp, String channel, int count,
            long logStart, long end) {
        Deque<Long> found = new ArrayDeque<>();
        long hi = end;
        long step = properties.backwardStep();
        while (hi > logStart && found.size() < count) {
            long lo = Math.max(logStart, hi - step);
            List<Long> chunk = scanForChannel(consumer, tp, channel, lo, hi, scannedBackward);
            for (int i = chunk.size() - 1; i >= 0 && found.size() < count; i--) {
                found.addFirst(chunk.get(i));
            }
            hi = lo;
            step = Math.min(step * 2, 1L << 20);
        }
        return new ArrayList<>(found);
    }

    /** Offsets in {@code [from, to)} of records keyed {@code channel}, reading keys only. */
    private List<Long> scanForChannel(Consumer<String, byte[]> consumer, TopicPartition tp, String channel, long from,
            long to, Counter scanned) {
        List<Long> offsets = new ArrayList<>();
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        long deadline = System.nanoTime() + KAFKA_TIMEOUT.toNanos();
        while (consumer.position(tp) < to && System.nanoTime() < deadline) {
            List<ConsumerRecord<String, byte[]>> records = consumer.poll(Duration.ofMillis(200)).records(tp);
            for (ConsumerRecord<String, byte[]> record : records) {
                if (record.offset() >= to) {
                    break;
                }
                if (channel.equals(record.key())) {
                    offsets.add(record.offset());
                }
            }
            recordsRead.increment(records.size());
            if (scanned != null) {
                scanned.increment(records.size());
            }
        }
        return offsets;
    }

    @SuppressWarnings("unchecked")
    private Consumer<String, byte[]> newConsumer() {
        Properties overrides = new Properties();
        overrides.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, properties.pollRecords());
        overrides.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return (Consumer<String, byte[]>) consumerFactory.createConsumer(null, "fanout-replay", null, overrides);
    }
}
