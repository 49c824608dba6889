package io.fanout.ingest.directory;

import io.fanout.schemas.Topic;
import io.fanout.schemas.avro.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.LogAndSkipOnInvalidTimestamp;
import org.apache.kafka.streams.state.Stores;

/**
 * The channel directory: one processor over the events topic (and the mirrored copies of other regions' events
 * topics, co-partitioned with it, so one task reads the same partition of each) that keeps, per channel (the record key),
 * four persistent RocksDB stores, each backed by a changelog topic:
 * <ul>
 *   <li>{@value #STATS_STORE}: {@link ChannelStats} by channel name, with the channel's newest rate bucket and
 *       its newest offset block while that is not full;</li>
 *   <li>{@value #INDEX_STORE}: the channel's most recent offsets in blocks of {@value OffsetBlock#SIZE}
 *       ({@link IndexKey} → {@link OffsetBlock}): the full blocks that hold its last {@code recentOffsets} (the
 *       newest, unfinished one is in the stats), so up to {@code recentOffsets + SIZE - 1} offsets. A block is
 *       written once, when it is full (a store from before the stats kept the newest block may also hold that
 *       block unfinished: it is overwritten when the block fills);</li>
 *   <li>{@value #RATE_STORE}: events per channel in 10-second buckets ({@link #RATE_BUCKET}), kept
 *       {@link #RATE_RETENTION}; a bucket arrives here when the channel's next one starts (until then it is
 *       counted in the stats); a query sums the buckets of the last minute, the stats' one included;</li>
 *   <li>{@value #PROGRESS_STORE}: per partition, the offset of the last record processed (any channel,
 *       skipped records too), so an answer can say how far into the partition it is complete.</li>
 * </ul>
 * The values are read as bytes and checked in the processor, so a record that is not an {@link Event}
 * is counted through the {@link SkipListener} and skipped instead of stopping the stream thread.
 * All stores live in the same task as the records of their channel, so the partition of a channel is
 * also the partition of its state.
 */
final class DirectoryTopology {

    static final String STATS_STORE = "channel-stats";
    /**
     * Named after its format: the per-event index before it was {@code channel-recent-offsets}, and a new
     * name means a new changelog, so no state in the old format is ever read as blocks.
     */
    static final String INDEX_STORE = "channel-recent-blocks";

    static final String RATE_STORE = "channel-rate";
    static final String PROGRESS_STORE = "partition-progress";

    /** Width of one rate bucket; a rate query sums the buckets of the last {@link #RATE_WINDOW}. */
    static final Duration RATE_BUCKET = Duration.ofSeconds(10);

    static final Duration RATE_WINDOW = Duration.ofMinutes(1);
    static final Duration RATE_RETENTION = Duration.ofMinutes(2);

    private DirectoryTopology() {}

    /**
     * Adds the directory to {@code builder}.
     *
     * @param events this region's events topic and its serdes ({@code Topics.events(name)})
     * @param mirrored the copies of other regions' events topics in this cluster (empty with one region); their
     *     events are counted, not indexed
     * @param recentOffsets how many of each channel's most recent offsets the index keeps
     * @param skips told about each record left out
     */
    static void build(
            StreamsBuilder builder,
            Topic<String, Event> events,
            List<String> mirrored,
            int recentOffsets,
            SkipListener skips) {
        if (recentOffsets < 1) {
            throw new IllegalArgumentException("recentOffsets must be at least 1, not " + recentOffsets);
        }
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(STATS_STORE), events.keySerde(), new ChannelStatsSerde())
                .withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(INDEX_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withCachingEnabled());
        builder.addStateStore(Stores.windowStoreBuilder(
                        Stores.persistentWindowStore(RATE_STORE, RATE_RETENTION, RATE_BUCKET, false),
                        events.keySerde(),
                        Serdes.Long())
                .withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(PROGRESS_STORE), Serdes.Integer(), Serdes.Long())
                .withCachingEnabled());
        List<String> sources = new ArrayList<>();
        sources.add(events.name());
        sources.addAll(mirrored);
        builder.stream(
                        sources,
                        Consumed.with(events.keySerde(), Serdes.ByteArray())
                                .withTimestampExtractor(new LogAndSkipOnInvalidTimestamp())
                                .withName("events"))
                .process(
                        () -> new DirectoryProcessor(events.name(), recentOffsets, skips),
                        Named.as("directory"),
                        STATS_STORE,
                        INDEX_STORE,
                        RATE_STORE,
                        PROGRESS_STORE);
    }
}
