package io.fanout.ingest.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.schemas.EventCodec;
import io.fanout.schemas.Topics;
import io.fanout.schemas.avro.Event;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequencerTopologyTest {

    private static final String INPUT = "ingest";
    private static final String EVENTS = "events";
    private static final long T0 = Instant.parse("2026-12-01T12:00:00Z").toEpochMilli();

    @TempDir
    Path stateDir;

    private final AtomicInteger skipped = new AtomicInteger();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> input;
    private TestOutputTopic<String, byte[]> output;

    @BeforeEach
    void start() {
        StreamsBuilder builder = new StreamsBuilder();
        SequencerTopology.build(builder, Topics.events(INPUT), EVENTS, skipped::incrementAndGet);
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "sequencer-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), config);
        input = driver.createInputTopic(INPUT, new StringSerializer(), new ByteArraySerializer());
        output = driver.createOutputTopic(EVENTS, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void shouldNumberEachChannelsEventsFromOneWithNoGapWhateverTheInterleaving() {
        List<String> channels = List.of("orders", "prices", "orders", "chat", "orders", "prices", "chat", "chat");
        for (int i = 0; i < channels.size(); i++) {
            publish(channels.get(i), "{\"n\":" + i + "}");
        }

        Map<String, List<Long>> seqs = new HashMap<>();
        List<String> messages = new ArrayList<>();
        for (TestRecord<String, byte[]> record : output.readRecordsToList()) {
            Event event = EventCodec.decode(record.value());
            assertThat(event.getChannel()).isEqualTo(record.key());
            seqs.computeIfAbsent(record.key(), c -> new ArrayList<>()).add(event.getSeq());
            messages.add(event.getMessage());
        }
        assertThat(seqs)
                .containsEntry("orders", List.of(1L, 2L, 3L))
                .containsEntry("prices", List.of(1L, 2L))
                .containsEntry("chat", List.of(1L, 2L, 3L));
        assertThat(messages).hasSize(channels.size()).startsWith("{\"n\":0}").endsWith("{\"n\":7}");
        assertThat(skipped).hasValue(0);
    }

    @Test
    void shouldKeepTheKeyTimestampIdAndHeadersOfTheEvent() {
        Event published = event("orders", "{}");
        RecordHeaders headers = new RecordHeaders();
        headers.add("fanout-idempotency-key", "k-1".getBytes(StandardCharsets.UTF_8));
        input.pipeInput(new TestRecord<>("orders", EventCodec.encode(published), headers, T0 + 42));

        TestRecord<String, byte[]> out = output.readRecord();
        assertThat(out.key()).isEqualTo("orders");
        assertThat(out.timestamp()).isEqualTo(T0 + 42);
        assertThat(out.headers().lastHeader("fanout-idempotency-key").value())
                .isEqualTo("k-1".getBytes(StandardCharsets.UTF_8));
        Event sequenced = EventCodec.decode(out.value());
        assertThat(sequenced.getId()).isEqualTo(published.getId());
        assertThat(sequenced.getPublishedAt()).isEqualTo(published.getPublishedAt());
        assertThat(sequenced.getSeq()).isEqualTo(1);
    }

    @Test
    void shouldNumberAgainAnEventThatArrivesWithASeqOfItsOwn() {
        publish("orders", "{}");
        input.pipeInput(
                "orders",
                EventCodec.encode(
                        Event.newBuilder(event("orders", "{}")).setSeq(99).build()),
                T0);

        assertThat(output.readRecordsToList())
                .extracting(record -> EventCodec.decode(record.value()).getSeq())
                .containsExactly(1L, 2L);
    }

    @Test
    void shouldLeaveOutRecordsThatAreNotEventsWithoutUsingANumber() {
        publish("orders", "{}");
        input.pipeInput("orders", "not an event".getBytes(StandardCharsets.UTF_8), T0);
        input.pipeInput((String) null, EventCodec.encode(event("orders", "{}")), T0);
        input.pipeInput("bad channel!", EventCodec.encode(event("bad channel!", "{}")), T0);
        publish("orders", "{}");

        assertThat(output.readRecordsToList())
                .extracting(record -> EventCodec.decode(record.value()).getSeq())
                .containsExactly(1L, 2L);
        assertThat(skipped).hasValue(3);
    }

    @Test
    void shouldKeepTheLastNumberOfEachChannelInTheStore() {
        publish("orders", "{}");
        publish("orders", "{}");
        publish("chat", "{}");

        var store = driver.<String, Long>getKeyValueStore(SequencerTopology.SEQ_STORE);
        assertThat(store.get("orders")).isEqualTo(2L);
        assertThat(store.get("chat")).isEqualTo(1L);
        assertThat(store.get("prices")).isNull();
    }

    private void publish(String channel, String message) {
        input.pipeInput(channel, EventCodec.encode(event(channel, message)), T0);
    }

    private static Event event(String channel, String message) {
        return new Event(java.util.UUID.randomUUID().toString(), channel, message, Instant.ofEpochMilli(T0), 0L);
    }
}
