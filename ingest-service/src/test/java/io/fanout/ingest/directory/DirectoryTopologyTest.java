package io.fanout.ingest.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.schemas.EventCodec;
import io.fanout.schemas.Topics;
import io.fanout.schemas.avro.Event;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryTopologyTest {

    private static final String TOPIC = "events";
    /** Region r2's events topic as MirrorMaker 2 copies it into this region's cluster. */
    private static final String MIRROR = "r2.events";

    private static final int RECENT = 5;
    private static final long T0 = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli();

    private final Map<SkipListener.Reason, Integer> skipped = new EnumMap<>(SkipListener.Reason.class);
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> input;
    private TestInputTopic<String, byte[]> mirror;
    private long offset;
    private long mirrorOffset;

    private int recent;

    /** State of this test's drivers only: a shared default under /tmp collides with a concurrent build's. */
    @TempDir
    Path stateDir;

    private int drivers;

    @BeforeEach
    void start() {
        start(RECENT);
    }

    /** A fresh driver whose index keeps the last {@code recentOffsets} offsets of each channel. */
    private void start(int recentOffsets) {
        if (driver != null) {
            driver.close();
        }
        recent = recentOffsets;
        offset = 0;
        mirrorOffset = 0;
        StreamsBuilder builder = new StreamsBuilder();
        DirectoryTopology.build(
                builder,
                Topics.events(TOPIC),
                List.of(MIRROR),
                recentOffsets,
                reason -> skipped.merge(reason, 1, Integer::sum));
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "directory-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(
                StreamsConfig.STATE_DIR_CONFIG,
                stateDir.resolve("driver-" + ++drivers).toString());
        driver = new TopologyTestDriver(builder.build(), config);
        input = driver.createInputTopic(TOPIC, new StringSerializer(), new ByteArraySerializer());
        mirror = driver.createInputTopic(MIRROR, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void shouldCountEventsAndTrackFirstAndLastOffsetsAndTimesPerChannel() {
        publish("news", T0);
        publish("sport", T0 + 1);
        publish("news", T0 + 2);
        publish("news", T0 + 3);

        assertThat(reader().channel("news", T0 + 10)).hasValueSatisfying(news -> {
            assertThat(news.count()).isEqualTo(3);
            assertThat(news.partition()).isZero();
            assertThat(news.firstOffset()).isEqualTo(0);
            assertThat(news.lastOffset()).isEqualTo(3);
            assertThat(news.firstTimestamp()).isEqualTo(T0);
            assertThat(news.lastTimestamp()).isEqualTo(T0 + 3);
        });
        assertThat(reader().channel("sport", T0 + 10)).hasValueSatisfying(sport -> {
            assertThat(sport.count()).isEqualTo(1);
            assertThat(sport.firstOffset()).isEqualTo(1);
            assertThat(sport.lastOffset()).isEqualTo(1);
        });
        assertThat(reader().channel("weather", T0 + 10)).isEmpty();
    }

    @Test
    void shouldCountMirroredEventsInCountAndRateButKeepOffsetsAndIndexOfThisRegionsTopic() {
        List<Long> own = new ArrayList<>();
        own.add(publish("news", T0));
        publishMirrored("news", T0 + 1);
        own.add(publish("news", T0 + 2));
        publishMirrored("news", T0 + 3);
        publishMirrored("news", T0 + 4);

        assertThat(reader().channel("news", T0 + 10)).hasValueSatisfying(news -> {
            assertThat(news.count()).isEqualTo(5);
            assertThat(news.mirrored()).isEqualTo(3);
            assertThat(news.firstOffset()).isEqualTo(own.get(0));
            assertThat(news.lastOffset()).isEqualTo(own.get(1));
            assertThat(news.firstTimestamp()).isEqualTo(T0);
            assertThat(news.lastTimestamp()).isEqualTo(T0 + 2);
            assertThat(news.eventsLastMinute()).isEqualTo(5);
        });
        assertThat(reader().recent("news", 10)).hasValueSatisfying(recent -> {
            assertThat(recent.count()).isEqualTo(2);
            assertThat(recent.offsets()).containsExactlyElementsOf(own);
        });
        assertThat(skipped).isEmpty();
    }

    @Test
    void shouldDescribeAChannelKnownOnlyFromMirroredEventsUntilItsFirstEventOfThisRegion() {
        publishMirrored("faraway", T0);
        publishMirrored("faraway", T0 + 1);

        assertThat(reader().channel("faraway", T0 + 10)).hasValueSatisfying(faraway -> {
            assertThat(faraway.count()).isEqualTo(2);
            assertThat(faraway.mirrored()).isEqualTo(2);
            assertThat(faraway.firstOffset()).isEqualTo(ChannelStats.NONE);
            assertThat(faraway.lastOffset()).isEqualTo(ChannelStats.NONE);
        });
        assertThat(reader().recent("faraway", 10).orElseThrow().offsets()).isEmpty();

        publish("other", T0 + 2);
        long first = publish("faraway", T0 + 3);
        assertThat(reader().channel("faraway", T0 + 10)).hasValueSatisfying(faraway -> {
            assertThat(faraway.count()).isEqualTo(3);
            assertThat(faraway.firstOffset()).isEqualTo(first);
            assertThat(faraway.lastOffset()).isEqualTo(first);
            assertThat(faraway.firstTimestamp()).isEqualTo(T0 + 3);
        });
        assertThat(reader().recent("faraway", 10).orElseThrow().offsets()).containsExactly(first);
    }

    @Test
    void shouldKeepExactlyTheLastNOffsetsOfEachChannelNewestLast() {
        List<Long> busy = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            busy.add(publish("busy", T0 + i));
            if (i % 4 == 0) {
                publish("busy.quiet", T0 + i);
            }
        }

        assertThat(reader().recent("busy", 100)).hasValueSatisfying(recent -> {
            assertThat(recent.count()).isEqualTo(12);
            assertThat(recent.offsets()).containsExactlyElementsOf(busy.subList(12 - RECENT, 12));
        });
        assertThat(reader().recent("busy", 2).orElseThrow().offsets()).containsExactlyElementsOf(busy.subList(10, 12));
        assertThat(reader().recent("busy.quiet", 10).orElseThrow().offsets()).containsExactly(1L, 6L, 11L);
        assertThat(blocks("busy")).containsExactly(0L);
        assertThat(blocks("busy.quiet")).containsExactly(0L);
        assertThat(reader().recent("nobody", 10)).isEmpty();
    }

    @Test
    void shouldAnswerTheLastNOffsetsAcrossABlockBoundary() {
        List<Long> busy =
                publishInterleaved("busy", OffsetBlock.SIZE + 2); // sequences 0..65: block 0 full, 2 in block 1

        RecentOffsets recent = reader().recent("busy", RECENT).orElseThrow();
        assertThat(recent.offsets()).containsExactlyElementsOf(last(busy, RECENT)); // 3 from block 0, 2 from block 1
        assertThat(recent.count()).isEqualTo(busy.size());
        assertThat(reader().recent("busy", 2).orElseThrow().offsets()).containsExactlyElementsOf(last(busy, 2));
        assertThat(reader().recent("busy", 3).orElseThrow().offsets()).containsExactlyElementsOf(last(busy, 3));
        assertThat(blocks("busy")).containsExactly(0L, 1L);
    }

    @Test
    void shouldKeepTheNewestBlockInTheStatsAndWriteItToTheIndexOnceItIsFull() {
        List<Long> busy = publishInterleaved("busy", OffsetBlock.SIZE - 1);
        assertThat(indexBlocks("busy")).isEmpty();
        assertThat(OffsetBlock.decode(stats("busy").newestBlock())).containsExactly(longs(busy));

        busy.add(publish("busy", T0)); // sequence 63: block 0 is full
        assertThat(indexBlocks("busy")).containsExactly(0L);
        assertThat(stats("busy").newestBlock()).isNull();
        byte[] full = driver.<Bytes, byte[]>getKeyValueStore(DirectoryTopology.INDEX_STORE)
                .get(IndexKey.of("busy", 0));
        assertThat(OffsetBlock.decode(full)).containsExactly(longs(busy));

        busy.add(publish("busy", T0)); // sequence 64 starts block 1, in the stats
        assertThat(indexBlocks("busy")).containsExactly(0L);
        assertThat(OffsetBlock.decode(stats("busy").newestBlock())).containsExactly(busy.get(64));
        assertThat(reader().recent("busy", RECENT).orElseThrow().offsets())
                .containsExactlyElementsOf(last(busy, RECENT));
    }

    @Test
    void shouldContinueAnUnfinishedIndexBlockFromBeforeTheStatsKeptTheNewestBlock() {
        for (int i = 0; i < 10; i++) {
            publish("other", T0);
        }
        // state as the previous version left it: 3 events (offsets 0..2) in a block of the index, none in the stats
        driver.<String, ChannelStats>getKeyValueStore(DirectoryTopology.STATS_STORE)
                .put("old", new ChannelStats(0, 3, 0, 2, T0, T0, 0, T0, 3, 0, null));
        byte[] unfinished = OffsetBlock.append(OffsetBlock.append(OffsetBlock.start(0, 0), 0, 1), 1, 2);
        driver.<Bytes, byte[]>getKeyValueStore(DirectoryTopology.INDEX_STORE).put(IndexKey.of("old", 0), unfinished);
        List<Long> old = new ArrayList<>(List.of(0L, 1L, 2L));
        assertThat(reader().recent("old", 10).orElseThrow().offsets()).containsExactlyElementsOf(old);

        old.add(publish("old", T0)); // sequence 3: the block continues in the stats
        assertThat(OffsetBlock.decode(stats("old").newestBlock())).containsExactly(longs(old));
        assertThat(reader().recent("old", RECENT).orElseThrow().offsets()).containsExactlyElementsOf(last(old, 4));

        while (old.size() < OffsetBlock.SIZE) {
            old.add(publish("old", T0));
        }
        byte[] full = driver.<Bytes, byte[]>getKeyValueStore(DirectoryTopology.INDEX_STORE)
                .get(IndexKey.of("old", 0));
        assertThat(OffsetBlock.decode(full)).containsExactly(longs(old));
        assertThat(stats("old").newestBlock()).isNull();
    }

    @Test
    void shouldDropAWholeBlockOnlyOnceNoneOfTheLastNOffsetsIsInIt() {
        List<Long> busy =
                publishInterleaved("busy", OffsetBlock.SIZE + RECENT - 1); // the oldest of the last 5 is sequence 63
        assertThat(blocks("busy")).containsExactly(0L, 1L);
        assertThat(stats("busy").indexStart()).isZero();

        busy.add(publish("busy", T0)); // sequence 68: the last 5 are 64..68, all in block 1
        assertThat(blocks("busy")).containsExactly(1L);
        assertThat(stats("busy").indexStart()).isEqualTo(OffsetBlock.SIZE);
        assertThat(reader().recent("busy", 100).orElseThrow().offsets()).containsExactlyElementsOf(last(busy, RECENT));

        busy.add(publish("busy", T0)); // block 1 now holds 6 offsets; answers still stop at RECENT
        RecentOffsets recent = reader().recent("busy", 1_000).orElseThrow();
        assertThat(recent.offsets()).containsExactlyElementsOf(last(busy, RECENT));
        assertThat(recent.count()).isEqualTo(OffsetBlock.SIZE + RECENT + 1);
    }

    @Test
    void shouldAnswerFromSeveralBlocksAndNeverMoreThanRecentOffsets() {
        start(100);
        List<Long> busy = publishInterleaved("busy", 200); // keeps sequences 64..199: blocks 1, 2 and 3
        List<Long> quiet = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            quiet.add(publish("quiet", T0 + i)); // fewer events than a block
        }

        assertThat(blocks("busy")).containsExactly(1L, 2L, 3L);
        assertThat(reader().recent("busy", 100).orElseThrow().offsets()).containsExactlyElementsOf(last(busy, 100));
        assertThat(reader().recent("busy", 150).orElseThrow().offsets()).containsExactlyElementsOf(last(busy, 100));
        assertThat(reader().recent("busy", 30).orElseThrow().offsets()).containsExactlyElementsOf(last(busy, 30));
        RecentOffsets few = reader().recent("quiet", 10).orElseThrow();
        assertThat(few.offsets()).containsExactlyElementsOf(quiet);
        assertThat(few.count()).isEqualTo(3);
        assertThat(blocks("quiet")).containsExactly(0L);
    }

    @Test
    void shouldLeaveOutOffsetsNewerThanThePartitionProgressAcrossABlockBoundary() {
        List<Long> busy = publishInterleaved("busy", OffsetBlock.SIZE + 2);
        KeyValueStore<Integer, Long> progress = driver.getKeyValueStore(DirectoryTopology.PROGRESS_STORE);
        long through = busy.get(OffsetBlock.SIZE - 1); // as if read before block 1 began
        progress.put(0, through);

        RecentOffsets recent = reader().recent("busy", RECENT).orElseThrow();
        assertThat(recent.offsets())
                .containsExactlyElementsOf(busy.subList(OffsetBlock.SIZE - RECENT, OffsetBlock.SIZE));
        assertThat(recent.count()).isEqualTo(OffsetBlock.SIZE);
        assertThat(recent.indexedThrough()).isEqualTo(through);
    }

    @Test
    void shouldStartTheIndexMidBlockForAChannelKnownFromBeforeTheBlocks() {
        for (int i = 0; i < 10; i++) {
            publish("other", T0);
        }
        // stats as the per-event index left them: 100 events, its oldest entry sequence 95; no blocks
        driver.<String, ChannelStats>getKeyValueStore(DirectoryTopology.STATS_STORE)
                .put("old", new ChannelStats(0, 100, 0, 9, T0, T0, 95, T0, 100, 0, null));
        List<Long> old = List.of(publish("old", T0), publish("old", T0), publish("old", T0)); // sequences 100..102

        RecentOffsets recent = reader().recent("old", 10).orElseThrow();
        assertThat(recent.offsets())
                .as("only what the index holds: fewer than asked")
                .containsExactlyElementsOf(old);
        assertThat(recent.count()).isEqualTo(103);
        assertThat(blocks("old")).containsExactly(1L);
    }

    @Test
    void shouldSayHowFarIntoThePartitionTheRecentOffsetsAreComplete() {
        publish("quiet", T0);
        publish("busy", T0 + 1);
        publish("quiet", T0 + 2);
        publish("busy", T0 + 3);
        input.pipeInput("busy", "not avro".getBytes(StandardCharsets.UTF_8), T0 + 4);
        offset++;

        RecentOffsets quiet = reader().recent("quiet", 10).orElseThrow();
        assertThat(quiet.offsets()).containsExactly(0L, 2L);
        assertThat(quiet.count()).isEqualTo(2);
        assertThat(quiet.indexedThrough()).isEqualTo(4);
    }

    @Test
    void shouldLeaveOutEventsNewerThanThePartitionProgressItReads() {
        publish("news", T0);
        publish("news", T0 + 1);
        publish("news", T0 + 2);
        KeyValueStore<Integer, Long> progress = driver.getKeyValueStore(DirectoryTopology.PROGRESS_STORE);
        progress.put(0, 1L); // as if the reader had read the progress just before offset 2 was processed

        RecentOffsets news = reader().recent("news", 10).orElseThrow();
        assertThat(news.offsets()).containsExactly(0L, 1L);
        assertThat(news.count()).isEqualTo(2);
        assertThat(news.indexedThrough()).isEqualTo(1);
    }

    @Test
    void shouldCountTheEventsOfTheLastMinuteForTheRate() {
        publish("ticks", T0 - 120_000); // two minutes before: outside the window
        LongStream.range(0, 30).forEach(i -> publish("ticks", T0 + i * 1_000)); // 30 in 30 s

        ChannelInfo atEnd = reader().channel("ticks", T0 + 30_000).orElseThrow();
        assertThat(atEnd.count()).isEqualTo(31);
        assertThat(atEnd.eventsLastMinute()).isEqualTo(30);
        assertThat(atEnd.ratePerSecond()).isEqualTo(0.6); // 30 events over the 50 s window of buckets

        ChannelInfo later = reader().channel("ticks", T0 + 75_000).orElseThrow();
        assertThat(later.eventsLastMinute()).isEqualTo(10); // buckets from T0 + 20 s on
        assertThat(reader().channel("ticks", T0 + 600_000).orElseThrow().eventsLastMinute())
                .isZero();
    }

    @Test
    void shouldSkipAndCountRecordsThatAreNotEvents() {
        publish("news", T0);
        input.pipeInput("news", "not avro".getBytes(StandardCharsets.UTF_8), T0 + 1);
        input.pipeInput("news", (byte[]) null, T0 + 2);
        input.pipeInput("bad channel", EventCodec.encode(event("bad channel", T0)), T0 + 3);
        input.pipeInput(null, EventCodec.encode(event("news", T0)), T0 + 4);
        publish("news", T0 + 5);

        ChannelInfo news = reader().channel("news", T0 + 10).orElseThrow();
        assertThat(news.count()).isEqualTo(2);
        assertThat(news.lastOffset()).isEqualTo(5);
        assertThat(skipped)
                .containsEntry(SkipListener.Reason.UNDECODABLE, 2)
                .containsEntry(SkipListener.Reason.INVALID_KEY, 2);
        assertThat(reader().channel("bad channel", T0 + 10)).isEmpty();
    }

    @Test
    void shouldListChannelsInNameOrderByPrefixAndPage() {
        for (String name : List.of("b", "a.2", "a", "a:1", "c-x", "a.10", "ab")) {
            publish(name, T0);
        }

        assertThat(names(reader().page("", null, 100, T0)))
                .containsExactly("a", "a.10", "a.2", "a:1", "ab", "b", "c-x");
        ChannelPage first = reader().page("a", null, 3, T0);
        assertThat(names(first)).containsExactly("a", "a.10", "a.2");
        assertThat(first.next()).isEqualTo("a.2");
        ChannelPage second = reader().page("a", first.next(), 3, T0);
        assertThat(names(second)).containsExactly("a:1", "ab");
        assertThat(second.next()).isNull();
        assertThat(names(reader().page("a.", null, 10, T0))).containsExactly("a.10", "a.2");
        assertThat(names(reader().page("", "ab", 10, T0))).containsExactly("b", "c-x");
        assertThat(names(reader().page("a", "b", 10, T0))).isEmpty();
        assertThat(names(reader().page("zz", null, 10, T0))).isEmpty();
    }

    @Test
    void shouldMergePagesOfSeveralPartitionsIntoOneSortedPage() {
        ChannelPage left = new ChannelPage(List.of(info("a"), info("c")), "c");
        ChannelPage right = new ChannelPage(List.of(info("b")), null);

        ChannelPage merged = ChannelPage.merge(List.of(left, right), 2);
        assertThat(names(merged)).containsExactly("a", "b");
        assertThat(merged.next()).isEqualTo("b");
        assertThat(ChannelPage.merge(List.of(left, right), 3).next()).isEqualTo("c");
        assertThat(ChannelPage.merge(List.of(right, ChannelPage.EMPTY), 3).next())
                .isNull();
    }

    @Test
    void shouldWriteARateBucketToTheWindowStoreOnlyOnceANewerOneStarts() {
        LongStream.range(0, 30).forEach(i -> publish("ticks", T0 + i * 100)); // 30 events in one bucket
        assertThat(rateBuckets("ticks")).isEmpty();
        assertThat(stats("ticks").inRateBucket()).isEqualTo(30);
        assertThat(reader().channel("ticks", T0 + 5_000).orElseThrow().eventsLastMinute())
                .isEqualTo(30);

        publish("ticks", T0 + 10_000);
        assertThat(rateBuckets("ticks")).containsExactly(java.util.Map.entry(T0, 30L));
        assertThat(reader().channel("ticks", T0 + 15_000).orElseThrow().eventsLastMinute())
                .isEqualTo(31);
    }

    @Test
    void shouldCountAnEventOlderThanTheNewestBucketInItsOwnBucket() {
        publish("late", T0 + 15_000);
        publish("late", T0 + 5_000); // a publisher with a slower clock
        publish("late", T0 + 16_000);

        assertThat(rateBuckets("late")).containsExactly(java.util.Map.entry(T0, 1L));
        assertThat(reader().channel("late", T0 + 19_000).orElseThrow().eventsLastMinute())
                .isEqualTo(3);
    }

    @Test
    void shouldTakeTheNewestBucketFromTheWindowStoreWhenItIsThereAlready() {
        publish("race", T0);
        publish("race", T0 + 1);
        // as if the stream thread had moved the bucket to the window store (3 events by then) after the
        // reader read the stats (2 events): counted once, as the window store has it
        driver.<String, Long>getWindowStore(DirectoryTopology.RATE_STORE).put("race", 3L, T0);

        assertThat(reader().channel("race", T0 + 5_000).orElseThrow().eventsLastMinute())
                .isEqualTo(3);
    }

    @Test
    void shouldTakeOverTheBucketOfStatsFromBeforeTheyKeptOne() {
        for (int i = 0; i < 10; i++) {
            publish("other", T0);
        }
        // state as an earlier version left it: stats without a bucket, the bucket's 4 events in the window store
        driver.<String, ChannelStats>getKeyValueStore(DirectoryTopology.STATS_STORE)
                .put("old", new ChannelStats(0, 4, 0, 9, T0, T0, 0, ChannelStats.NO_BUCKET, 0, 0, null));
        driver.<String, Long>getWindowStore(DirectoryTopology.RATE_STORE).put("old", 4L, T0);
        assertThat(reader().channel("old", T0 + 5_000).orElseThrow().eventsLastMinute())
                .isEqualTo(4);

        publish("old", T0 + 1);
        assertThat(rateBuckets("old")).isEmpty();
        assertThat(stats("old").inRateBucket()).isEqualTo(5);
        assertThat(reader().channel("old", T0 + 5_000).orElseThrow().eventsLastMinute())
                .isEqualTo(5);
    }

    @Test
    void shouldRoundTripChannelStatsThroughTheirSerde() {
        ChannelStats stats = new ChannelStats(7, 12, 3, 99, T0, T0 + 5, 2, T0, 4, 3, null);
        ChannelStatsSerde serde = new ChannelStatsSerde();
        byte[] bytes = serde.serializer().serialize("t", stats);
        assertThat(bytes).hasSize(ChannelStatsSerde.SIZE);
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(stats);
    }

    @Test
    void shouldRoundTripChannelStatsWithTheirNewestBlockThroughTheirSerde() {
        byte[] block = OffsetBlock.append(OffsetBlock.start(0, 97), 97, 99);
        ChannelStats stats = new ChannelStats(7, 66, 3, 99, T0, T0 + 5, 0, T0, 4, 3, block);
        ChannelStatsSerde serde = new ChannelStatsSerde();
        byte[] bytes = serde.serializer().serialize("t", stats);
        assertThat(bytes).hasSize(ChannelStatsSerde.SIZE + block.length);
        ChannelStats read = serde.deserializer().deserialize("t", bytes);
        assertThat(read).isEqualTo(stats);
        assertThat(OffsetBlock.decode(read.newestBlock())).containsExactly(97, 99);
    }

    @Test
    void shouldReadChannelStatsOfTheThirdFormatWithoutANewestBlock() {
        byte[] version3 = statsOfFormat(3, 12, 3, 99, T0, T0 + 5, 2, T0, 4, 3);
        assertThat(version3).hasSize(77);
        assertThat(new ChannelStatsSerde().deserializer().deserialize("t", version3))
                .isEqualTo(new ChannelStats(7, 12, 3, 99, T0, T0 + 5, 2, T0, 4, 3, null));
    }

    @Test
    void shouldReadChannelStatsOfTheSecondFormatWithoutMirroredEvents() {
        byte[] version2 = statsOfFormat(2, 12, 3, 99, T0, T0 + 5, 2, T0, 4);
        assertThat(version2).hasSize(69);
        assertThat(new ChannelStatsSerde().deserializer().deserialize("t", version2))
                .isEqualTo(new ChannelStats(7, 12, 3, 99, T0, T0 + 5, 2, T0, 4, 0, null));
    }

    @Test
    void shouldReadChannelStatsOfTheFirstFormatWithoutARateBucket() {
        byte[] version1 = statsOfFormat(1, 12, 3, 99, T0, T0 + 5, 2);
        assertThat(version1).hasSize(53);
        assertThat(new ChannelStatsSerde().deserializer().deserialize("t", version1))
                .isEqualTo(new ChannelStats(7, 12, 3, 99, T0, T0 + 5, 2, ChannelStats.NO_BUCKET, 0, 0, null));
    }

    /** A stats value as format {@code version} wrote it: the version, partition 7, then {@code longs}. */
    private static byte[] statsOfFormat(int version, long... longs) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 + Integer.BYTES + longs.length * Long.BYTES)
                .put((byte) version)
                .putInt(7);
        for (long value : longs) {
            buffer.putLong(value);
        }
        return buffer.array();
    }

    private long publish(String channel, long timestamp) {
        input.pipeInput(channel, EventCodec.encode(event(channel, timestamp)), timestamp);
        return offset++;
    }

    /** An event of region r2, as MirrorMaker 2 copies it here (same key, partition and timestamp). */
    private void publishMirrored(String channel, long timestamp) {
        mirror.pipeInput(channel, EventCodec.encode(event(channel, timestamp)), timestamp);
        mirrorOffset++;
    }

    private static Event event(String channel, long timestamp) {
        return new Event(UUID.randomUUID().toString(), channel, "{\"n\":1}", Instant.ofEpochMilli(timestamp), 0L);
    }

    /** {@code events} events of {@code channel}, every third followed by one of another channel; their offsets. */
    private List<Long> publishInterleaved(String channel, int events) {
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            offsets.add(publish(channel, T0 + i));
            if (i % 3 == 0) {
                publish(channel + ".other", T0 + i);
            }
        }
        return offsets;
    }

    private static long[] longs(List<Long> offsets) {
        return offsets.stream().mapToLong(Long::longValue).toArray();
    }

    private static List<Long> last(List<Long> offsets, int n) {
        return offsets.subList(offsets.size() - n, offsets.size());
    }

    private DirectoryReader reader() {
        return new DirectoryReader(
                driver.getKeyValueStore(DirectoryTopology.STATS_STORE),
                driver.getKeyValueStore(DirectoryTopology.INDEX_STORE),
                driver.getWindowStore(DirectoryTopology.RATE_STORE),
                driver.getKeyValueStore(DirectoryTopology.PROGRESS_STORE),
                recent);
    }

    private ChannelStats stats(String channel) {
        return driver.<String, ChannelStats>getKeyValueStore(DirectoryTopology.STATS_STORE)
                .get(channel);
    }

    /** The buckets of the channel in the rate window store: start → events. */
    private List<Map.Entry<Long, Long>> rateBuckets(String channel) {
        List<Map.Entry<Long, Long>> buckets = new ArrayList<>();
        try (var all = driver.<String, Long>getWindowStore(DirectoryTopology.RATE_STORE)
                .fetch(channel, Instant.ofEpochMilli(0), Instant.ofEpochMilli(Long.MAX_VALUE / 2))) {
            all.forEachRemaining(bucket -> buckets.add(Map.entry(bucket.key, bucket.value)));
        }
        return buckets;
    }

    /** The numbers of the channel's blocks: those in the index, and its newest while the stats hold it. */
    private List<Long> blocks(String channel) {
        List<Long> blocks = indexBlocks(channel);
        ChannelStats stats = stats(channel);
        if (stats != null && stats.newestBlock() != null) {
            blocks.add(OffsetBlock.of(stats.count() - 1));
        }
        return blocks;
    }

    /** The numbers of the channel's blocks in the index store. */
    private List<Long> indexBlocks(String channel) {
        KeyValueStore<Bytes, byte[]> index = driver.getKeyValueStore(DirectoryTopology.INDEX_STORE);
        List<Long> blocks = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> all =
                index.range(IndexKey.of(channel, 0), IndexKey.of(channel, Long.MAX_VALUE))) {
            while (all.hasNext()) {
                byte[] key = all.next().key.get();
                blocks.add(java.nio.ByteBuffer.wrap(key, key.length - Long.BYTES, Long.BYTES)
                        .getLong());
            }
        }
        return blocks;
    }

    private static List<String> names(ChannelPage page) {
        return page.channels().stream().map(ChannelInfo::channel).toList();
    }

    private static ChannelInfo info(String name) {
        return new ChannelInfo(name, 0, 1, 0, 0, 0, T0, T0, 0, 0);
    }
}
