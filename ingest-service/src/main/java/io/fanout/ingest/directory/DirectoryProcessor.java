package io.fanout.ingest.directory;

import io.fanout.schemas.Channels;
import io.fanout.schemas.Topic;
import io.fanout.schemas.avro.Event;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Updates the three directory stores for each event (see {@link DirectoryTopology}). One instance per
 * task, called on that task's stream thread only. Per event: one stats read and write, one index write
 * (plus one delete once the channel has more than {@code recentOffsets} events), one rate bucket read and
 * write, one progress write (all through the stores' caches); nothing is logged per event: skipped records are reported at most once a minute.
 */
final class DirectoryProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(DirectoryProcessor.class);
    private static final long REPORT_INTERVAL_MS = 60_000;

    private final String topic;
    private final Deserializer<Event> values;
    private final int recentOffsets;
    private final SkipListener skips;
    private final long bucketMs = DirectoryTopology.RATE_BUCKET.toMillis();

    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, ChannelStats> stats;
    private KeyValueStore<Bytes, Long> index;
    private WindowStore<String, Long> rate;
    private KeyValueStore<Integer, Long> progress;

    private long skippedSinceReport;
    private long lastReport;

    DirectoryProcessor(Topic<String, Event> events, int recentOffsets, SkipListener skips) {
        this.topic = events.name();
        this.values = events.valueSerde().deserializer();
        this.recentOffsets = recentOffsets;
        this.skips = skips;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.stats = context.getStateStore(DirectoryTopology.STATS_STORE);
        this.index = context.getStateStore(DirectoryTopology.INDEX_STORE);
        this.rate = context.getStateStore(DirectoryTopology.RATE_STORE);
        this.progress = context.getStateStore(DirectoryTopology.PROGRESS_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata metadata = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("records from a source topic carry their offset"));
        apply(record, metadata.partition(), metadata.offset());
        // after the channel's stores: a reader that sees this offset here sees the record's effect there
        progress.put(metadata.partition(), metadata.offset());
    }

    private void apply(Record<String, byte[]> record, int partition, long offset) {
        String channel = record.key();
        if (channel == null || !Channels.isValid(channel)) {
            skip(SkipListener.Reason.INVALID_KEY);
            return;
        }
        if (!decodable(record.value())) {
            skip(SkipListener.Reason.UNDECODABLE);
            return;
        }
        long timestamp = record.timestamp();
        ChannelStats before = stats.get(channel);
        if (before != null && before.partition() == partition && offset <= before.lastOffset()) {
            skip(SkipListener.Reason.REDELIVERED);
            return;
        }
        ChannelStats after = before == null
                ? ChannelStats.first(partition, offset, timestamp)
                : before.next(partition, offset, timestamp);

        index.put(IndexKey.of(channel, after.count() - 1), offset);
        long oldest = after.indexStart();
        while (after.count() - oldest > recentOffsets) {
            index.put(IndexKey.of(channel, oldest), null);
            oldest++;
        }
        stats.put(channel, after.withIndexStart(oldest));

        long bucket = timestamp - Math.floorMod(timestamp, bucketMs);
        Long inBucket = rate.fetch(channel, bucket);
        rate.put(channel, inBucket == null ? 1 : inBucket + 1, bucket);
    }

    private boolean decodable(byte[] value) {
        try {
            return values.deserialize(topic, value) != null;
        } catch (SerializationException e) {
            return false;
        }
    }

    private void skip(SkipListener.Reason reason) {
        skips.skipped(reason);
        skippedSinceReport++;
        long now = System.currentTimeMillis();
        if (now - lastReport >= REPORT_INTERVAL_MS) {
            String where = context.recordMetadata()
                    .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                    .orElse("?");
            log.warn("channel directory skipped {} record(s) since its last report; the latest at {}: {}",
                    skippedSinceReport, where, reason);
            skippedSinceReport = 0;
            lastReport = now;
        }
    }
}
