package io.fanout.schemas;

import io.fanout.schemas.avro.Event;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;

/**
 * The topics of fanout, named once. The events topic is configurable ({@code fanout.topic}); its
 * key is the channel (UTF-8) and its value an {@link Event} in single-object encoding. The sequencer's input topic
 * ({@link #DEFAULT_INGEST}) has the same key and value; {@link #events(String)} names either.
 */
public final class Topics {

    /** Default name of the events topic. */
    public static final String DEFAULT_EVENTS = "fanout.events";

    /**
     * Default name of the sequencer's input topic (property {@code fanout.sequence.input-topic}): with sequencing on,
     * publishers write here and the sequencer copies each event, numbered, to the events topic. Same key, value and
     * partition count as the events topic.
     */
    public static final String DEFAULT_INGEST = "fanout.ingest";

    /** A region's alias (MirrorMaker 2's cluster alias): what a mirrored topic's name starts with. */
    public static final String REGION_ALIAS = "[a-z0-9][a-z0-9-]{0,31}";

    private Topics() {}

    /**
     * The name MirrorMaker 2's default replication policy gives {@code topic} of region {@code sourceAlias} in
     * another region's cluster: {@code <sourceAlias>.<topic>}.
     */
    public static String mirrored(String sourceAlias, String topic) {
        return sourceAlias + "." + topic;
    }

    public static Topic<String, Event> events(String name) {
        return new Topic<>(name, Serdes.String(), new EventSerde());
    }

    /**
     * The partition of the events topic that holds {@code channel} when the topic has {@code partitionCount}
     * partitions: murmur2 of the key's UTF-8 bytes, as Kafka's default partitioner places a keyed record.
     */
    public static int partitionOf(String channel, int partitionCount) {
        if (partitionCount <= 0) {
            throw new IllegalArgumentException("partitionCount must be positive, not " + partitionCount);
        }
        return Utils.toPositive(Utils.murmur2(channel.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }
}
