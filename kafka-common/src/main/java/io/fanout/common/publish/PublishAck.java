package io.fanout.common.publish;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;

/**
 * What a publisher gets back once Kafka has acknowledged the event: where it lives in the log.
 * {@code offset} is the offset subscribers see on the same event; {@code message} is JSON text and
 * is written as a JSON value.
 */
@JsonPropertyOrder({"channel", "message", "id", "partition", "offset", "timestamp"})
public record PublishAck(String channel, @JsonRawValue String message, String id, int partition, long offset,
        long timestamp) {
}
