package io.fanout.common.publish;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
     * A factory of {@code factory}'s settings (not its listeners: no metrics), {@code clientId} and the contract's,
     * whose producer is made as {@link #create}'s is (the same classes, so code the JIT compiled on one runs the other
     * without compiling it again) and is its own: resetting the factory ({@link ProducerFactory#reset}) closes it.
     */
    @SuppressWarnings("unchecked")
    public static ProducerFactory<String, byte[]> factoryOf(ProducerFactory<?, ?> factory, String clientId) {
        Map<String, Object> settings = new HashMap<>(CONTRACT);
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        ProducerFactory<String, byte[]> own =
                (ProducerFactory<String, byte[]>) factory.copyWithConfigurationOverride(settings);
        List.copyOf(own.getListeners()).forEach(own::removeListener); // no metrics of its producer
        return own;
    }
}
