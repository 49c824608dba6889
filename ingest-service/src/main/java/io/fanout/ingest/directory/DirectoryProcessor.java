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
 * write (the stats carry the channel's newest, unfinished offset block); one progress write. Every
 * {@value OffsetBlock#SIZE} events of a channel, one index write (the block now full) and, once the channel has
 * more than {@code recentOffsets}, one block delete.
 * The rate window store is read and written only when a channel's newest 10-second bucket ends (its count
 * lives in the stats until then). The value is checked by its header only ({@link EventCodec#isEvent}), never
 * decoded. Nothing is logged per event: skipped records are reported at most once a minute.
 *
 * <p>Records of the region's own events topic are counted with their offsets and indexed; records of a mirrored
 * copy of another region's topic (same key, same partition: MirrorMaker keeps both) only count, in
 * {@link ChannelStats#mirrored()} and in the rate, since their offsets are those of the copy.
 */
final class DirectoryProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(DirectoryProcessor.class);
    private static final long REPORT_INTERVAL_MS = 60_000;

    private final String ownTopic;
    private final int recentOffsets;
    private final SkipListener skips;
    private final long bucketMs = DirectoryTopology.RATE_BUCKET.toMillis();
    private final long windowMs = DirectoryTopology.RATE_WINDOW.toMillis();

    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, ChannelStats> stats;
    private KeyValueStore<Bytes, byte[]> index;
    private WindowStore<String, Long> rate;
    private KeyValueStore<Integer, Long> progress;

    private long skippedSinceReport;
    private long lastReport;

    /**
     * @param ownTopic this region's events topic; records of any other source topic are mirrored events
     * @param recentOffsets how many of each channel's most recent offsets the index keeps
     * @param skips told about each record left out
     */
    DirectoryProcessor(String ownTopic, int recentOffsets, SkipListener skips) {
        this.ownTopic = ownTopic;
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
        if (!ownTopic.equals(metadata.topic())) {
            countMirrored(record, metadata.partition());
            return;
        }
        apply(record, metadata.partition(), metadata.offset());
        // after the channel's stores: a reader that sees this offset here sees the record's effect there
        progress.put(metadata.partition(), metadata.offset());
    }

    /** Whether the record is an event of a valid channel; counts and skips it when not. */
    private boolean isEvent(Record<String, byte[]> record) {
        String channel = record.key();
        if (channel == null || !Channels.isValid(channel)) {
            skip(SkipListener.Reason.INVALID_KEY);
            return false;
        }
        if (!EventCodec.isEvent(record.value())) {
            skip(SkipListener.Reason.UNDECODABLE);
            return false;
        }
        return true;
    }

    /**
     * Counts an event of another region in its channel's stats and rate. Under exactly-once (the default) each
     * record is processed once; there is no offset of this region to recognise a redelivery by.
     */
    private void countMirrored(Record<String, byte[]> record, int partition) {
        if (!isEvent(record)) {
            return;
        }
        String channel = record.key();
        long timestamp = record.timestamp();
        long bucket = timestamp - Math.floorMod(timestamp, bucketMs);
        ChannelStats before = stats.get(channel);
        stats.put(
                channel,
                before == null
                        ? ChannelStats.firstMirrored(partition, bucket)
                        : countRate(channel, before, before.nextMirrored(), bucket));
    }

    private void apply(Record<String, byte[]> record, int partition, long offset) {
        if (!isEvent(record)) {
            return;
        }
        String channel = record.key();
        long timestamp = record.timestamp();
        long bucket = timestamp - Math.floorMod(timestamp, bucketMs);
        ChannelStats before = stats.get(channel);
        if (before != null && before.partition() == partition && offset <= before.lastOffset()) {
            skip(SkipListener.Reason.REDELIVERED);
            return;
        }
        ChannelStats after = before == null
                ? ChannelStats.first(partition, offset, timestamp, bucket)
                : countRate(channel, before, before.next(partition, offset, timestamp), bucket);
        after = indexOffset(channel, before, after, offset);
        // after the index and the rate: a reader that sees this count or bucket here finds them there
        stats.put(channel, after);
    }

    /**
     * Puts the event's offset in its channel's newest block, kept in the stats until it is full and then written
     * to the index, and drops the index blocks no longer needed; returns {@code after} with that block and the
     * index start that leaves.
     */
    private ChannelStats indexOffset(String channel, ChannelStats before, ChannelStats after, long offset) {
        long sequence = after.count() - 1;
        int slot = OffsetBlock.slot(sequence);
        byte[] previous = null;
        if (slot > 0) { // the block so far: in the stats, or in the index for stats from before they kept it
            previous = before.newestBlock() != null
                    ? before.newestBlock()
                    : index.get(IndexKey.of(channel, OffsetBlock.of(sequence)));
        }
        byte[] block = previous == null
                ? OffsetBlock.start(slot, offset) // missing mid-block only when the index started late
                : OffsetBlock.append(previous, before.lastOffset(), offset);
        boolean full = slot == OffsetBlock.SIZE - 1;
        if (full) {
            index.put(IndexKey.of(channel, OffsetBlock.of(sequence)), block);
        }
        // drop the whole blocks older than the block of the channel's recentOffsets-th newest event
        long firstKept = OffsetBlock.of(Math.max(0, after.count() - recentOffsets));
        long firstHeld = OffsetBlock.of(after.indexStart());
        for (long dropped = firstHeld; dropped < firstKept; dropped++) {
            index.put(IndexKey.of(channel, dropped), null); // a delete that does not read the value first
        }
        ChannelStats indexed = after.withNewestBlock(full ? null : block);
        return firstKept > firstHeld ? indexed.withIndexStart(firstKept * OffsetBlock.SIZE) : indexed;
    }

    /**
     * Counts the event in its rate bucket; returns {@code after} with the channel's newest bucket. That bucket
     * is counted in the stats; the window store gets it once a newer one starts, and directly an event older
     * than the newest bucket (rare: publish times run with the offsets, up to the clocks of the publishers).
     */
    private ChannelStats countRate(String channel, ChannelStats before, ChannelStats after, long bucket) {
        if (bucket == before.rateBucket()) {
            return after.withRate(bucket, before.inRateBucket() + 1);
        }
        if (bucket < before.rateBucket()) {
            addToWindowStore(channel, bucket, 1);
            return after;
        }
        if (before.rateBucket() == ChannelStats.NO_BUCKET) {
            // stats from before they kept a bucket: the window store has this bucket's count so far; take it over
            // (once per channel; a query racing exactly this event may miss that count once)
            Long counted = rate.fetch(channel, bucket);
            if (counted != null) {
                rate.put(channel, null, bucket);
            }
            return after.withRate(bucket, counted == null ? 1 : counted + 1);
        }
        if (before.rateBucket() > bucket - windowMs) { // older ones are outside every window a query still reads
            addToWindowStore(channel, before.rateBucket(), before.inRateBucket());
        }
        return after.withRate(bucket, 1);
    }

    private void addToWindowStore(String channel, long bucket, long events) {
        Long counted = rate.fetch(channel, bucket);
        rate.put(channel, counted == null ? events : counted + events, bucket);
    }

    private void skip(SkipListener.Reason reason) {
        skips.skipped(reason);
        skippedSinceReport++;
        long now = System.currentTimeMillis();
        if (now - lastReport >= REPORT_INTERVAL_MS) {
            String where = context.recordMetadata()
                    .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                    .orElse("?");
            log.warn(
                    "channel directory skipped {} record(s) since its last report; the latest at {}: {}",
                    skippedSinceReport,
                    where,
                    reason);
            skippedSinceReport = 0;
            lastReport = now;
        }
    }
}
