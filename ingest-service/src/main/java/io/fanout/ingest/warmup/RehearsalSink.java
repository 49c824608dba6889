package io.fanout.ingest.warmup;

import io.fanout.common.publish.EventProducers;
import io.fanout.common.publish.ProducerBuffer;
import java.time.Duration;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Where the rehearsal's publishes are written: to the warm-up topic ({@code fanout.warmup.topic}, which no service
 * reads and Kafka keeps for a minute) through a producer of the real one's settings, so that Kafka's producer client
 * in this JVM and the broker's produce path are compiled too; or, when no topic is set or it can neither be found nor
 * created, nowhere ({@link RehearsalProducer}).
 *
 * @param producer the producer the rehearsal's publisher sends with
 * @param topic the topic it writes to, or {@code null} when it writes nothing
 * @param buffer the producer's buffer settings, as the publisher needs them
 * @param closer closes the producer, after sending what it holds
 */
record RehearsalSink(Producer<String, byte[]> producer, String topic, ProducerBuffer buffer, Runnable closer)
        implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RehearsalSink.class);

    /** Records of the warm-up topic are deleted after this; it holds only the last starts' rehearsals. */
    static final Duration RETENTION = Duration.ofMinutes(1);

    /**
     * The sink {@code properties} ask for, the warm-up topic created when missing with as many partitions as
     * {@code publishTopic}, the topic real publishes go to (so the producer spreads and batches records as it will).
     */
    static RehearsalSink open(
            WarmupProperties properties, ProducerFactory<?, ?> producers, KafkaAdmin admin, String publishTopic) {
        String topic = properties.topic();
        if (topic.isBlank()) {
            return nowhere();
        }
        try {
            ensureTopic(admin, topic, publishTopic);
        } catch (RuntimeException e) { // KafkaAdmin's: the broker away, no rights, a timeout, a name Kafka refuses
            log.warn(
                    "warm-up: rehearsing without Kafka; the warm-up topic {} could be neither found nor created: {}",
                    topic,
                    e.getCause() != null ? e.getCause().toString() : e.toString());
            return nowhere();
        }
        // a producer made as the real one is (Spring's wrapper around Kafka's, the same callbacks; no metrics): the JIT
        // compiles the publish path for the classes real publishes meet, instead of again at the first of them
        ProducerFactory<String, byte[]> own = EventProducers.factoryOf(producers, "fanout-warmup-rehearsal");
        return new RehearsalSink(
                own.createProducer(), topic, ProducerBuffer.of(producers.getConfigurationProperties()), own::reset);
    }

    private static RehearsalSink nowhere() {
        RehearsalProducer producer = new RehearsalProducer();
        return new RehearsalSink(producer, null, ProducerBuffer.DEFAULTS, () -> producer.close(Duration.ofSeconds(5)));
    }

    /**
     * Creates {@code topic} with a minute's retention and {@code like}'s partition count, unless it exists (then at
     * least that many partitions).
     */
    private static void ensureTopic(KafkaAdmin admin, String topic, String like) {
        int partitions = admin.describeTopics(like).get(like).partitions().size();
        String retention = Long.toString(RETENTION.toMillis());
        admin.createOrModifyTopics(TopicBuilder.name(topic) // the broker's replication factor
                .partitions(partitions)
                .config(TopicConfig.RETENTION_MS_CONFIG, retention)
                .config(TopicConfig.SEGMENT_MS_CONFIG, retention)
                .build());
    }

    /** The topic the rehearsal's publisher is given: the warm-up topic, or a name nothing is written to. */
    String publishTopic() {
        return topic != null ? topic : "fanout-rehearsal";
    }

    /** Sends what the producer holds and closes it; a rehearsal request after this is refused, written nowhere. */
    @Override
    public void close() {
        closer.run();
    }
}
