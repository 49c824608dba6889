package io.fanout.ingest.warmup;

import io.fanout.common.publish.EventProducers;
import io.fanout.common.publish.ProducerBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 */
record RehearsalSink(Producer<String, byte[]> producer, String topic, ProducerBuffer buffer) implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RehearsalSink.class);

    /** Records of the warm-up topic are deleted after this; it holds only the last starts' rehearsals. */
    static final Duration RETENTION = Duration.ofMinutes(1);

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

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
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            log.warn(
                    "warm-up: rehearsing without Kafka; the warm-up topic {} could be neither found nor created: {}",
                    topic,
                    cause.toString());
            return nowhere();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return nowhere();
        }
        return new RehearsalSink(
                EventProducers.standalone(producers, "fanout-warmup-rehearsal"),
                topic,
                ProducerBuffer.of(producers.getConfigurationProperties()));
    }

    private static RehearsalSink nowhere() {
        return new RehearsalSink(new RehearsalProducer(), null, ProducerBuffer.DEFAULTS);
    }

    /** Creates {@code topic} with a minute's retention and {@code like}'s partition count, unless it exists. */
    private static void ensureTopic(KafkaAdmin admin, String topic, String like)
            throws ExecutionException, TimeoutException, InterruptedException {
        try (Admin client = Admin.create(admin.getConfigurationProperties())) {
            int partitions = client.describeTopics(List.of(like))
                    .allTopicNames()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(like)
                    .partitions()
                    .size();
            String retention = Long.toString(RETENTION.toMillis());
            NewTopic warmup = new NewTopic(topic, Optional.of(partitions), Optional.empty()) // broker's replication
                    .configs(Map.of(
                            TopicConfig.RETENTION_MS_CONFIG, retention, TopicConfig.SEGMENT_MS_CONFIG, retention));
            client.createTopics(List.of(warmup)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /** The topic the rehearsal's publisher is given: the warm-up topic, or a name nothing is written to. */
    String publishTopic() {
        return topic != null ? topic : "fanout-rehearsal";
    }

    /** Sends what the producer holds and closes it; a rehearsal request after this is refused, written nowhere. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
