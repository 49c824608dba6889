package io.fanout.service.subscribe;

import java.nio.charset.StandardCharsets;

/**
 * One event as subscribers receive it, encoded once and shared by every session of its channel:
 * {@code {"channel","partition","offset","timestamp","id","message"}}. Immutable; {@code json} must not be
 * modified by anyone.
 */
public record EventFrame(String channel, int partition, long offset, long timestamp, String id, byte[] json)
        implements Frame {

    /**
     * Builds the frame. {@code channel} is written as is (channel names are restricted to
     * {@code A-Z a-z 0-9 . _ - :}); {@code id} is escaped (fanout's publisher writes UUIDs, but the topic may hold
     * other producers' events); {@code message} is JSON text, written as is.
     */
    public static EventFrame of(String channel, int partition, long offset, long timestamp, String id, String message) {
        StringBuilder json = new StringBuilder(96 + channel.length() + message.length());
        json.append("{\"channel\":\"")
                .append(channel)
                .append("\",\"partition\":")
                .append(partition)
                .append(",\"offset\":")
                .append(offset)
                .append(",\"timestamp\":")
                .append(timestamp)
                .append(",\"id\":\"");
        appendEscaped(json, id);
        json.append("\",\"message\":").append(message).append('}');
        return new EventFrame(
                channel, partition, offset, timestamp, id, json.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The frame as text. */
    public String text() {
        return new String(json, StandardCharsets.UTF_8);
    }

    private static void appendEscaped(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
    }
}
