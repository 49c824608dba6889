package io.fanout.common.publish;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Kafka producers of event records on the settings of {@code spring.kafka.*}, with what the contract promises fixed
 * whatever those say: channel keys as strings, the Avro envelope as bytes, {@code acks=all}, idempotence.
 */
public final class EventProducers {

    private static final Map<String, Object> CONTRACT = Map.of(
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class,
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true);

    private EventProducers() {}

    /** The producer {@code factory} makes with the contract's settings over its own. */
    @SuppressWarnings("unchecked")
    public static Producer<String, byte[]> create(ProducerFactory<?, ?> factory) {
        return (Producer<String, byte[]>)
                factory.copyWithConfigurationOverride(CONTRACT).createProducer();
    }

    /**
     * A producer of {@code factory}'s settings, {@code clientId} and the contract's, made outside the factory: none of
     * its listeners (metrics) sees it, and closing it closes it.
     */
    public static Producer<String, byte[]> standalone(ProducerFactory<?, ?> factory, String clientId) {
        Map<String, Object> settings = new HashMap<>(factory.getConfigurationProperties());
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        settings.putAll(CONTRACT);
        return new KafkaProducer<>(settings);
    }
}
