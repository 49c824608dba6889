package io.fanout.common.publish;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Publish limits, under {@code fanout.publish}.
 *
 * @param maxBodySize largest HTTP body or WebSocket text frame accepted for a publish (413 / close 1009 beyond)
 * @param maxBatchItems most events in one {@code POST /push/batch}
 * @param maxQueuedSends most publish calls waiting to be handed to the Kafka producer before 429
 * @param retryAfter the {@code Retry-After} advised while Kafka cannot take writes or the publisher is full
 */
@Validated
@ConfigurationProperties("fanout.publish")
public record PublishProperties(
        @DefaultValue("1MB") DataSize maxBodySize,
        @DefaultValue("10000") @Min(1) int maxBatchItems,
        @DefaultValue("10000") @Min(1) int maxQueuedSends,
        @DefaultValue("2s") Duration retryAfter) {

    /** {@link #maxBodySize} in bytes, as the {@code int} that buffers and frame limits take. */
    public int maxBodyBytes() {
        return (int) Math.min(Integer.MAX_VALUE, maxBodySize.toBytes());
    }
}
