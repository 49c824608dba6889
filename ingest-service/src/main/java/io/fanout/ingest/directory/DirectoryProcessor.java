package io.fanout.ingest.directory;

import io.fanout.schemas.Channels;
import io.fanout.schemas.EventCodec;
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
 * Updates the four directory stores for each event (see {@link DirectoryTopology}). One instance per task,
 * called on that task's stream thread only. Per event, all through the stores' caches: one stats read and
 * write; one index block read (none when the event starts a block) and write, plus one block delete every
 * {@value OffsetBlock#SIZE} events once the channel has more than {@code recentOffsets}; one rate bucket read
 * and write; one progress write. The value is checked by its header only ({@link EventCodec#isEvent}), never
 * decoded. Nothing is logged per event: skipped records are reported at most once a minute.
 */
final class DirectoryProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(DirectoryProcessor.class);
    private static final long REPORT_INTERVAL_MS = 60_000;

    private final int recentOffsets;
    private final SkipListener skips;
    private final long bucketMs = DirectoryTopology.RATE_BUCKET.toMillis();

    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, ChannelStats> stats;
    private KeyValueStore<Bytes, byte[]> index;
    private WindowStore<String, Long> rate;
    private KeyValueStore<Integer, Long> progress;

    private long skippedSinceReport;
    private long lastReport;

    DirectoryProcessor(int recentOffsets, SkipListener skips) {
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
        if (!EventCodec.isEvent(record.value())) {
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

        // the index before the stats: a reader that sees the new count in the stats finds the offset in its block
        long sequence = after.count() - 1;
        Bytes key = IndexKey.of(channel, OffsetBlock.of(sequence));
        byte[] block = OffsetBlock.slot(sequence) == 0 ? null : index.get(key);
        index.put(key, block == null
                ? OffsetBlock.start(OffsetBlock.slot(sequence), offset)  // missing mid-block only when the index started late
                : OffsetBlock.append(block, before.lastOffset(), offset));
        // drop the whole blocks older than the block of the channel's recentOffsets-th newest event
        long firstKept = OffsetBlock.of(Math.max(0, after.count() - recentOffsets));
        long firstHeld = OffsetBlock.of(after.indexStart());
        for (long dropped = firstHeld; dropped < firstKept; dropped++) {
            index.put(IndexKey.of(channel, dropped), null);  // a delete that does not read the value first
        }
        stats.put(channel, firstKept > firstHeld ? after.withIndexStart(firstKept * OffsetBlock.SIZE) : after);

        long bucket = timestamp - Math.floorMod(timestamp, bucketMs);
        Long inBucket = rate.fetch(channel, bucket);
        rate.put(channel, inBucket == null ? 1 : inBucket + 1, bucket);
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
