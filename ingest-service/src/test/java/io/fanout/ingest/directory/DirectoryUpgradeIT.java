package io.fanout.ingest.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.schemas.EventCodec;
import io.fanout.schemas.Topics;
import io.fanout.schemas.avro.Event;
import io.fanout.testsupport.TestKafka;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/**
 * Upgrading over the state of the directory version with the per-event index: same application id, same
 * state directory, a broker holding that version's changelogs. That version is imitated here (its store
 * names and formats, one row per event); the directory must start over it, keep the channel's count and
 * rate, and index the events from the upgrade on. (Under exactly-once, Streams finds the new store missing
 * from the task's checkpoint, wipes the task's local state once and restores it from the changelogs.)
 */
class DirectoryUpgradeIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OLD_INDEX_STORE = "channel-recent-offsets";

    private final String topic = TestKafka.newTopic("directory-upgrade-it", 1);
    private final String applicationId = "directory-upgrade-it-" + System.nanoTime();

    @Test
    void shouldKeepCountsAndRateAndIndexTheEventsAfterTheUpgrade() throws Exception {
        Path state = Files.createTempDirectory("directory-upgrade");
        long now = System.currentTimeMillis();
        List<Long> before = publish(5, now);
        KafkaStreams old = new KafkaStreams(previousVersion(), config(state));
        old.start();
        await().atMost(WAIT)
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(store(
                                        old,
                                        DirectoryTopology.PROGRESS_STORE,
                                        QueryableStoreTypes.<Integer, Long>keyValueStore())
                                .get(0))
                        .isEqualTo(before.get(4)));
        // as DirectoryStreams stops: leaving the group, so the next start need not wait out the session
        assertThat(old.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(WAIT)))
                .isTrue();
        List<Long> after = publish(3, now);

        StreamsBuilder builder = new StreamsBuilder();
        DirectoryTopology.build(builder, Topics.events(topic), List.of(), 10, reason -> {});
        try (KafkaStreams upgraded = new KafkaStreams(builder.build(), config(state))) {
            upgraded.start();
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                DirectoryReader reader = reader(upgraded);
                ChannelInfo channel =
                        reader.channel("up", System.currentTimeMillis()).orElseThrow();
                assertThat(channel.count()).isEqualTo(8);
                assertThat(channel.firstOffset()).isEqualTo(before.get(0));
                assertThat(channel.lastOffset()).isEqualTo(after.get(2));
                assertThat(channel.eventsLastMinute()).isEqualTo(8);
                RecentOffsets recent = reader.recent("up", 10).orElseThrow();
                assertThat(recent.offsets())
                        .as("indexed from the upgrade on: fewer than asked")
                        .isEqualTo(after);
                assertThat(recent.count()).isEqualTo(8);
                assertThat(recent.indexedThrough()).isEqualTo(after.get(2));
            });
            assertThat(upgraded.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    /** The stores of the version before blocks, written the way it wrote them. */
    private Topology previousVersion() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(DirectoryTopology.STATS_STORE),
                        Serdes.String(),
                        Serdes.ByteArray())
                .withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(OLD_INDEX_STORE), Serdes.Bytes(), Serdes.Long())
                .withCachingEnabled());
        builder.addStateStore(Stores.windowStoreBuilder(
                        Stores.persistentWindowStore(
                                DirectoryTopology.RATE_STORE,
                                DirectoryTopology.RATE_RETENTION,
                                DirectoryTopology.RATE_BUCKET,
                                false),
                        Serdes.String(),
                        Serdes.Long())
                .withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(DirectoryTopology.PROGRESS_STORE),
                        Serdes.Integer(),
                        Serdes.Long())
                .withCachingEnabled());
        builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .process(
                        PreviousProcessor::new,
                        DirectoryTopology.STATS_STORE,
                        OLD_INDEX_STORE,
                        DirectoryTopology.RATE_STORE,
                        DirectoryTopology.PROGRESS_STORE);
        return builder.build();
    }

    /** One channel's events as that version counted them; enough of it for this test. */
    private static final class PreviousProcessor implements Processor<String, byte[], Void, Void> {

        private ProcessorContext<Void, Void> context;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, byte[]> record) {
            KeyValueStore<String, byte[]> stats = context.getStateStore(DirectoryTopology.STATS_STORE);
            KeyValueStore<Bytes, Long> index = context.getStateStore(OLD_INDEX_STORE);
            WindowStore<String, Long> rate = context.getStateStore(DirectoryTopology.RATE_STORE);
            KeyValueStore<Integer, Long> progress = context.getStateStore(DirectoryTopology.PROGRESS_STORE);
            long offset = context.recordMetadata().orElseThrow().offset();
            byte[] previous = stats.get(record.key());
            ByteBuffer old = previous == null ? null : ByteBuffer.wrap(previous); // version 1: 53 bytes
            long count = old == null ? 1 : old.getLong(5) + 1;
            long firstOffset = old == null ? offset : old.getLong(13);
            long firstTimestamp = old == null ? record.timestamp() : old.getLong(29);
            stats.put(
                    record.key(),
                    ByteBuffer.allocate(53)
                            .put((byte) 1)
                            .putInt(0)
                            .putLong(count)
                            .putLong(firstOffset)
                            .putLong(offset)
                            .putLong(firstTimestamp)
                            .putLong(record.timestamp())
                            .putLong(0)
                            .array());
            index.put(IndexKey.of(record.key(), count - 1), offset);
            long bucket =
                    record.timestamp() - Math.floorMod(record.timestamp(), DirectoryTopology.RATE_BUCKET.toMillis());
            Long inBucket = rate.fetch(record.key(), bucket);
            rate.put(record.key(), inBucket == null ? 1 : inBucket + 1, bucket);
            progress.put(0, offset);
        }
    }

    private List<Long> publish(int events, long timestamp) throws Exception {
        List<Long> offsets = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < events; i++) {
                Event event = new Event(UUID.randomUUID().toString(), "up", "{}", Instant.ofEpochMilli(timestamp), 0L);
                offsets.add(producer.send(new ProducerRecord<>(topic, 0, timestamp, "up", EventCodec.encode(event)))
                        .get()
                        .offset());
            }
        }
        return offsets;
    }

    private Properties config(Path state) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        config.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        return config;
    }

    private static DirectoryReader reader(KafkaStreams streams) {
        return new DirectoryReader(
                store(
                        streams,
                        DirectoryTopology.STATS_STORE,
                        QueryableStoreTypes.<String, ChannelStats>keyValueStore()),
                store(streams, DirectoryTopology.INDEX_STORE, QueryableStoreTypes.<Bytes, byte[]>keyValueStore()),
                store(streams, DirectoryTopology.RATE_STORE, QueryableStoreTypes.<String, Long>windowStore()),
                store(streams, DirectoryTopology.PROGRESS_STORE, QueryableStoreTypes.<Integer, Long>keyValueStore()),
                10);
    }

    private static <T> T store(KafkaStreams streams, String name, QueryableStoreType<T> type) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, type).withPartition(0));
    }
}
