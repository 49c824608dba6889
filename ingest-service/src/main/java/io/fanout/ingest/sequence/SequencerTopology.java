package io.fanout.ingest.sequence;

import io.fanout.schemas.Topic;
import io.fanout.schemas.avro.Event;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The sequencer: reads the input topic (what publishers wrote), gives each event {@code seq} = its number among its
 * channel's events (1, 2, 3, … per channel, kept in the persistent store {@value #SEQ_STORE}, channel → last
 * {@code seq}, backed by a changelog) and writes it, same key, timestamp and headers, to the events topic. Under
 * {@code exactly_once_v2} the store's changelog, the output and the input offsets commit in one transaction, so a
 * restart or a rebalance continues the numbering with no gap and no repeat, and a {@code read_committed} reader never
 * sees output of an aborted attempt.
 *
 * <p>The output's partition is the default partitioner's (murmur2 of the key), as the publisher's was: with the same
 * partition count, each event stays in its input partition's number.
 */
final class SequencerTopology {

    static final String SEQ_STORE = "channel-seq";

    private SequencerTopology() {}

    /**
     * Adds the sequencer to {@code builder}.
     *
     * @param input the topic publishers write to ({@code Topics.events(inputTopic)})
     * @param eventsTopic where the numbered events go
     * @param skipped called (on a stream thread) for each input record that is not an Event and is left out
     */
    static void build(StreamsBuilder builder, Topic<String, Event> input, String eventsTopic, Runnable skipped) {
        builder.addStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEQ_STORE), input.keySerde(), Serdes.Long())
                        .withCachingEnabled());
        builder.stream(
                        input.name(),
                        Consumed.with(input.keySerde(), Serdes.ByteArray()).withName("published"))
                .process(() -> new SequenceProcessor(skipped), Named.as("sequence"), SEQ_STORE)
                .to(
                        eventsTopic,
                        Produced.with(input.keySerde(), Serdes.ByteArray()).withName("events"));
    }
}
