package io.fanout.service.subscribe;

import java.nio.charset.StandardCharsets;

/**
 * One event as subscribers receive it, encoded once and shared by every session of its channel:
 * {@code {"channel","partition","offset","timestamp","id","origin","cursor","seq","message"}}, always in this order,
 * {@code seq} only when the event was numbered by the sequencer ({@code seq > 0}). {@code partition} and
 * {@code offset} are positions in this region's copy of the origin's topic; {@code origin} is the region the event was
 * published in and {@code cursor} ({@link PartitionCursor}) a position that means the same in every region;
 * {@code seq} the event's number among its channel's events published in {@code origin} (1, 2, 3, … with no gap), so
 * {@code (origin, channel, seq)} names the event in every region.
 * Immutable; {@code json} must not be modified by anyone.
 *
 * @param cursor the stream's position in the partition right after this event
 * @param cursorText {@code cursor} encoded ({@link PartitionCursor#encode}), as the JSON carries it: encoded once per
 *     event and shared by every session that passes it (an SSE stream's {@code id}, {@link Subscription#cursorText})
 * @param seq the event's number in its channel and origin, or 0 when it was not sequenced
 * @param cursorAt where {@code cursorText} starts in {@code json} (its bytes are ASCII): an SSE stream whose {@code id}
 *     is this text copies it from there instead of encoding it again
 */
public record EventFrame(
        String channel,
        String origin,
        int partition,
        long offset,
        long timestamp,
        String id,
        PartitionCursor cursor,
        String cursorText,
        long seq,
        byte[] json,
        int cursorAt)
        implements Frame {

    /**
     * Builds the frame. {@code channel} and {@code origin} are written as is (channel names are restricted to
     * {@code A-Z a-z 0-9 . _ - :}, region aliases to {@code a-z 0-9 -}; the cursor's text is URL-safe); {@code id} is
     * escaped (fanout's publisher writes UUIDs, but the topic may hold other producers' events); {@code message} is
     * JSON text, written as is.
     */
    public static EventFrame of(
            String channel,
            String origin,
            int partition,
            long offset,
            long timestamp,
            String id,
            PartitionCursor cursor,
            long seq,
            String message) {
        String cursorText = cursor.encode();
        StringBuilder json = new StringBuilder(128 + channel.length() + cursorText.length() + message.length());
        json.append("{\"channel\":\"")
                .append(channel)
                .append("\",\"partition\":")
                .append(partition)
                .append(",\"offset\":")
                .append(offset)
                .append(",\"timestamp\":")
                .append(timestamp)
                .append(",\"id\":\"");
        boolean ascii = appendEscaped(json, id);
        json.append("\",\"origin\":\"").append(origin).append("\",\"cursor\":\"");
        int cursorAt = ascii ? json.length() : json.toString().getBytes(StandardCharsets.UTF_8).length;
        json.append(cursorText).append('"');
        if (seq > 0) {
            json.append(",\"seq\":").append(seq);
        }
        json.append(",\"message\":").append(message).append('}');
        return new EventFrame(
                channel,
                origin,
                partition,
                offset,
                timestamp,
                id,
                cursor,
                cursorText,
                seq,
                json.toString().getBytes(StandardCharsets.UTF_8),
                cursorAt);
    }

    /** Where the event sits in this region: its origin's topic, and the partition. */
    public OriginPartition source() {
        return new OriginPartition(origin, partition);
    }

    /** The frame as text. */
    public String text() {
        return new String(json, StandardCharsets.UTF_8);
    }

    /** Appends {@code value} escaped; returns whether all it appended is ASCII. */
    private static boolean appendEscaped(StringBuilder out, String value) {
        boolean ascii = true;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
                ascii &= c < 0x80;
            }
        }
        return ascii;
    }
}
