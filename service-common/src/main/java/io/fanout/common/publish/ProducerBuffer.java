package io.fanout.common.publish;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The producer's buffer settings that decide whether {@code send} can wait for room: {@code batch.size} and
 * {@code buffer.memory}.
 */
public record ProducerBuffer(long batchSize, long bufferMemory) {

    /** Kafka's defaults: 16 KiB batches, 32 MiB of buffer. */
    public static final ProducerBuffer DEFAULTS = new ProducerBuffer(16_384, 33_554_432);

    /** From a producer's configuration ({@code spring.kafka.producer.*}), Kafka's defaults where it sets none. */
    public static ProducerBuffer of(Map<String, Object> producerConfig) {
        return new ProducerBuffer(
                longOf(producerConfig.get(ProducerConfig.BATCH_SIZE_CONFIG), DEFAULTS.batchSize),
                longOf(producerConfig.get(ProducerConfig.BUFFER_MEMORY_CONFIG), DEFAULTS.bufferMemory));
    }

    private static long longOf(Object value, long absent) {
        return value == null ? absent : Long.parseLong(value.toString().trim());
    }
}
