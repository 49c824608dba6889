package io.fanout.common;

import io.fanout.common.health.KafkaHealthIndicator;
import io.fanout.common.publish.EventPublisher;
import io.fanout.common.publish.IdempotencyProperties;
import io.fanout.common.publish.IdempotencyStore;
import io.fanout.common.publish.PublishProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Gives each service the one {@link EventPublisher} and the {@code kafka} health indicator, built on
 * the producer and admin settings of {@code spring.kafka.*}.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties({FanoutProperties.class, PublishProperties.class, IdempotencyProperties.class})
public class FanoutKafkaAutoConfiguration {

    @Bean(destroyMethod = "close")
    @SuppressWarnings("unchecked")
    EventPublisher eventPublisher(ProducerFactory<?, ?> producerFactory, FanoutProperties fanout,
            PublishProperties publish, IdempotencyProperties idempotency, KafkaAdmin admin,
            ObjectProvider<MeterRegistry> meters) {
        // What the contract promises is fixed here, whatever spring.kafka.producer.* says.
        Map<String, Object> contract = Map.of(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Producer<String, byte[]> producer = (Producer<String, byte[]>) producerFactory
                .copyWithConfigurationOverride(contract).createProducer();
        // Keys of the last window are restored before this instance serves, so retries across a restart stay single.
        IdempotencyStore keys = new IdempotencyStore(idempotency.window(), idempotency.maxKeys());
        keys.rebuild(admin.getConfigurationProperties(), fanout.topic(), idempotency.rebuildTimeout());
        // A publish is answered (ack or 503) within the producer's delivery.timeout.ms of arriving.
        Object deliveryTimeout = producerFactory.getConfigurationProperties().get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
        Duration ackTimeout = deliveryTimeout == null ? EventPublisher.DEFAULT_ACK_TIMEOUT
                : Duration.ofMillis(Long.parseLong(deliveryTimeout.toString().trim()));
        return new EventPublisher(producer, fanout.topic(), publish.maxQueuedSends(),
                meters.getIfAvailable(SimpleMeterRegistry::new), keys, ackTimeout);
    }

    @Bean(name = "kafka", destroyMethod = "close")
    KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin admin, FanoutProperties fanout) {
        return new KafkaHealthIndicator(admin.getConfigurationProperties(), fanout.topic(), fanout.healthTimeout());
    }
}
