package io.fanout.common.publish;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a publisher gets back once Kafka has acknowledged the event: where it lives in the log.
 * {@code offset} is the offset subscribers see on the same event; {@code message} is JSON text and
 * is written as a JSON value.
 */
@JsonPropertyOrder({"channel", "message", "id", "partition", "offset", "timestamp"})
public record PublishAck(
        String channel, @JsonRawValue String message, String id, int partition, long offset, long timestamp) {

    /**
     * The ack as JSON, the same text Jackson writes for it, without a serializer per response: {@code channel} needs
     * no escaping (channel names are {@code A-Z a-z 0-9 . _ - :}), {@code id} is a UUID and {@code message} is JSON.
     */
    public void appendJson(StringBuilder out) {
        out.append("{\"channel\":\"")
                .append(channel)
                .append("\",\"message\":")
                .append(message)
                .append(",\"id\":\"")
                .append(id)
                .append("\",\"partition\":")
                .append(partition)
                .append(",\"offset\":")
                .append(offset)
                .append(",\"timestamp\":")
                .append(timestamp)
                .append('}');
    }

    /** {@link #appendJson} of one ack, UTF-8. */
    public byte[] toJson() {
        StringBuilder out = new StringBuilder(128 + message.length());
        appendJson(out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON array of {@code acks}, UTF-8. */
    public static byte[] toJson(List<PublishAck> acks) {
        StringBuilder out = new StringBuilder(acks.size() * 160);
        out.append('[');
        for (int i = 0; i < acks.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            acks.get(i).appendJson(out);
        }
        return out.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }
}
