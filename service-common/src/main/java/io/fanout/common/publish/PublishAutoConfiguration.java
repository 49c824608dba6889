package io.fanout.common.publish;

import io.fanout.common.FanoutProperties;
import io.fanout.common.sequence.SequenceProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Gives each service that publishes (ingest-service for {@code POST /push}, fanout-service for text sent on a
 * socket) the one {@link EventPublisher}, with its idempotency keys, built on the producer settings of
 * {@code spring.kafka.*}. With {@code fanout.sequence.enabled} it writes to the sequencer's input topic instead of the
 * events topic ({@link SequenceProperties}).
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties({
    FanoutProperties.class,
    PublishProperties.class,
    IdempotencyProperties.class,
    SequenceProperties.class
})
public class PublishAutoConfiguration {

    @Bean
    IdempotencyStore idempotencyStore(ProducerFactory<?, ?> producerFactory, IdempotencyProperties idempotency) {
        return new IdempotencyStore(
                idempotency.window(),
                idempotency.maxKeys(),
                idempotency.maxBytes().toBytes(),
                ackTimeout(producerFactory));
    }

    /** Keys written by every instance within the window, read before this instance serves (the start-up re-read). */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(
            prefix = "fanout.publish.idempotency",
            name = "follow-topic",
            havingValue = "true",
            matchIfMissing = true)
    IdempotencyKeyFollower idempotencyKeyFollower(
            IdempotencyStore store,
            IdempotencyProperties idempotency,
            KafkaAdmin admin,
            FanoutProperties fanout,
            SequenceProperties sequence)
            throws InterruptedException {
        // the topic the publishers write to: the acks it rebuilds are the ones their publishes got
        IdempotencyKeyFollower follower = new IdempotencyKeyFollower(
                store, admin.getConfigurationProperties(), sequence.publishTopic(fanout.topic()));
        follower.start(idempotency.rebuildTimeout());
        store.followWith(follower);
        return follower;
    }

    @Bean(destroyMethod = "close")
    EventPublisher eventPublisher(
            ProducerFactory<?, ?> producerFactory,
            FanoutProperties fanout,
            PublishProperties publish,
            SequenceProperties sequence,
            IdempotencyStore keys,
            ObjectProvider<IdempotencyKeyFollower> follower,
            ObjectProvider<MeterRegistry> meters) {
        Producer<String, byte[]> producer = EventProducers.create(producerFactory);
        follower.ifAvailable(started -> {}); // keys of the last window are known before this instance serves
        return new EventPublisher(
                producer,
                sequence.publishTopic(fanout.topic()),
                publish.maxQueuedSends(),
                meters.getIfAvailable(SimpleMeterRegistry::new),
                keys,
                ackTimeout(producerFactory),
                ProducerBuffer.of(producerFactory.getConfigurationProperties()));
    }

    /** A publish is answered (ack or 503) within the producer's delivery.timeout.ms of arriving. */
    private static Duration ackTimeout(ProducerFactory<?, ?> producerFactory) {
        Object deliveryTimeout =
                producerFactory.getConfigurationProperties().get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
        return deliveryTimeout == null
                ? EventPublisher.DEFAULT_ACK_TIMEOUT
                : Duration.ofMillis(Long.parseLong(deliveryTimeout.toString().trim()));
    }
}
