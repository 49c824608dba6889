package io.fanout.service.subscribe;

import io.fanout.schemas.EventCodec;
import io.fanout.schemas.EventFields;
import io.fanout.schemas.avro.Event;
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
     * The frame of a record's value: its id, message and seq read in place when they are ASCII
     * ({@link EventCodec#asciiFieldsOf}), else decoded.
     *
     * @throws io.fanout.schemas.UndecodableEventException when the value is not an encoded Event
     */
    public static EventFrame ofValue(
            String channel,
            String origin,
            int partition,
            long offset,
            long timestamp,
            PartitionCursor cursor,
            byte[] value) {
        byte[] message = value;
        EventFields fields = EventCodec.asciiFieldsOf(value);
        if (fields == null) {
            Event event = EventCodec.decode(value);
            message = event.getMessage().getBytes(StandardCharsets.UTF_8);
            fields = new EventFields(event.getId(), 0, message.length, event.getSeq());
        }
        return of(
                channel,
                origin,
                partition,
                offset,
                timestamp,
                fields.id(),
                cursor,
                fields.seq(),
                message,
                fields.messageAt(),
                fields.messageLength());
    }

    /** Builds the frame of a message given as text. */
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
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        return of(channel, origin, partition, offset, timestamp, id, cursor, seq, bytes, 0, bytes.length);
    }

    /**
     * Builds the frame, writing its bytes once into an array of their exact length. {@code channel} and
     * {@code origin} are written as is (channel names are restricted to {@code A-Z a-z 0-9 . _ - :}, region aliases
     * and topic names to ASCII; the cursor's text is URL-safe); {@code id} is escaped (fanout's publisher writes
     * UUIDs, but the topic may hold other producers' events); the message's UTF-8 bytes
     * ({@code message[messageAt, messageAt + messageLength)}) are JSON text, copied as they are.
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
            byte[] message,
            int messageAt,
            int messageLength) {
        String cursorText = cursor.encode();
        byte[] escapedId = isPlainAscii(id) ? null : escaped(id).getBytes(StandardCharsets.UTF_8);
        int length = CHANNEL.length
                + channel.length()
                + PARTITION.length
                + decimalLength(partition)
                + OFFSET.length
                + decimalLength(offset)
                + TIMESTAMP.length
                + decimalLength(timestamp)
                + ID.length
                + (escapedId == null ? id.length() : escapedId.length)
                + ORIGIN.length
                + origin.length()
                + CURSOR.length
                + cursorText.length()
                + 1
                + (seq > 0 ? SEQ.length + decimalLength(seq) : 0)
                + MESSAGE.length
                + messageLength
                + 1;
        Writer json = new Writer(new byte[length]);
        json.raw(CHANNEL).ascii(channel).raw(PARTITION).decimal(partition);
        json.raw(OFFSET).decimal(offset).raw(TIMESTAMP).decimal(timestamp).raw(ID);
        if (escapedId == null) {
            json.ascii(id);
        } else {
            json.raw(escapedId);
        }
        json.raw(ORIGIN).ascii(origin).raw(CURSOR);
        int cursorAt = json.at;
        json.ascii(cursorText).raw(QUOTE);
        if (seq > 0) {
            json.raw(SEQ).decimal(seq);
        }
        json.raw(MESSAGE).raw(message, messageAt, messageLength).raw(CLOSE);
        return new EventFrame(
                channel, origin, partition, offset, timestamp, id, cursor, cursorText, seq, json.bytes, cursorAt);
    }

    /** Where the event sits in this region: its origin's topic, and the partition. */
    public OriginPartition source() {
        return new OriginPartition(origin, partition);
    }

    /** The frame as text. */
    public String text() {
        return new String(json, StandardCharsets.UTF_8);
    }

    private static final byte[] CHANNEL = ascii("{\"channel\":\"");
    private static final byte[] PARTITION = ascii("\",\"partition\":");
    private static final byte[] OFFSET = ascii(",\"offset\":");
    private static final byte[] TIMESTAMP = ascii(",\"timestamp\":");
    private static final byte[] ID = ascii(",\"id\":\"");
    private static final byte[] ORIGIN = ascii("\",\"origin\":\"");
    private static final byte[] CURSOR = ascii("\",\"cursor\":\"");
    private static final byte[] QUOTE = ascii("\"");
    private static final byte[] SEQ = ascii(",\"seq\":");
    private static final byte[] MESSAGE = ascii(",\"message\":");
    private static final byte[] CLOSE = ascii("}");

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Whether {@code value} is printable ASCII with nothing to escape: written as it is. */
    private static boolean isPlainAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static String escaped(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
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
        return out.toString();
    }

    private static int decimalLength(long value) {
        if (value < 0) {
            return value == Long.MIN_VALUE ? 20 : 1 + decimalLength(-value);
        }
        int digits = 1;
        for (long rest = value; rest >= 10; rest /= 10) {
            digits++;
        }
        return digits;
    }

    /** Writes into an array sized beforehand. */
    private static final class Writer {
        private final byte[] bytes;
        private int at;

        Writer(byte[] bytes) {
            this.bytes = bytes;
        }

        Writer raw(byte[] part) {
            return raw(part, 0, part.length);
        }

        Writer raw(byte[] part, int from, int length) {
            System.arraycopy(part, from, bytes, at, length);
            at += length;
            return this;
        }

        /** Text of ASCII characters, one byte each. */
        Writer ascii(String text) {
            for (int i = 0; i < text.length(); i++) {
                bytes[at++] = (byte) text.charAt(i);
            }
            return this;
        }

        Writer decimal(long value) {
            if (value == Long.MIN_VALUE) {
                return ascii(Long.toString(value));
            }
            if (value < 0) {
                bytes[at++] = '-';
                value = -value;
            }
            int end = at + decimalLength(value);
            for (int i = end - 1; i >= at; i--) {
                bytes[i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            at = end;
            return this;
        }
    }
}
