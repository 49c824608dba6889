package io.fanout.schemas;

import io.fanout.schemas.avro.Event;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Encodes and decodes {@link Event}s in Avro single-object encoding: two marker bytes, the 8-byte
 * CRC-64-AVRO fingerprint of the writer schema, then the binary body. A reader can therefore tell
 * which schema wrote a value. Thread-safe.
 */
public final class EventCodec {

    static {
        // Avro 1.12 decodes only into trusted classes; trust the generated envelope, keep the rest.
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                ClassSecurityValidator.getGlobal(),
                ClassSecurityValidator.builder().add(Event.class).build()));
    }

    /**
     * The first {@link Event} schema, without {@code seq}: values it wrote (before the sequencer existed, or by a
     * producer not upgraded yet) still decode, with {@code seq} 0.
     */
    static final Schema V1 = loadSchema("Event-v1.avsc");

    private static final BinaryMessageDecoder<Event> DECODER = decoder();
    /** What every encoded {@link Event} starts with: the marker C3 01, then the schema fingerprint, little-endian. */
    private static final byte[] HEADER = header(SchemaNormalization.parsingFingerprint64(Event.getClassSchema()));
    /** The header of a value written with {@link #V1}. Both headers have the same length. */
    private static final byte[] HEADER_V1 = header(SchemaNormalization.parsingFingerprint64(V1));

    private EventCodec() {}

    /**
     * The event in single-object encoding: the bytes Avro's {@code BinaryMessageEncoder} writes for it, written
     * directly (the header, then each field as Avro binary: strings as a zig-zag varint length and their UTF-8
     * bytes, longs as zig-zag varints), without Avro's per-field writer and its buffer copies.
     *
     * @throws NullPointerException when a field is null (none of them may be)
     */
    public static byte[] encode(Event event) {
        byte[] id = event.getId().getBytes(StandardCharsets.UTF_8);
        byte[] channel = event.getChannel().getBytes(StandardCharsets.UTF_8);
        byte[] message = event.getMessage().getBytes(StandardCharsets.UTF_8);
        long publishedAt = event.getPublishedAt().toEpochMilli();
        long seq = event.getSeq();
        ByteBuffer out = ByteBuffer.allocate(HEADER.length
                + sizeOfString(id)
                + sizeOfString(channel)
                + sizeOfString(message)
                + ByteUtils.sizeOfVarlong(publishedAt)
                + ByteUtils.sizeOfVarlong(seq));
        out.put(HEADER);
        putString(out, id);
        putString(out, channel);
        putString(out, message);
        ByteUtils.writeVarlong(publishedAt, out);
        ByteUtils.writeVarlong(seq, out);
        return out.array();
    }

    /** Avro's length prefix is a zig-zag varint, the same bytes as Kafka's varlong for any int. */
    private static int sizeOfString(byte[] utf8) {
        return ByteUtils.sizeOfVarlong(utf8.length) + utf8.length;
    }

    private static void putString(ByteBuffer out, byte[] utf8) {
        ByteUtils.writeVarlong(utf8.length, out);
        out.put(utf8);
    }

    /**
     * Whether {@code bytes} start like a single-object encoded {@link Event}: the marker and this schema's
     * fingerprint, the same header {@link #decode} requires. Only the header is checked, the body not at all,
     * so no object is built; a value that passes may still fail {@link #decode} (a truncated body, say).
     */
    public static boolean isEvent(byte[] bytes) {
        return bytes != null
                && bytes.length > HEADER.length
                && (Arrays.equals(bytes, 0, HEADER.length, HEADER, 0, HEADER.length)
                        || Arrays.equals(bytes, 0, HEADER_V1.length, HEADER_V1, 0, HEADER_V1.length));
    }

    /**
     * The {@code id} of an encoded {@link Event} (its first field in every version of the schema), read without
     * decoding the rest: a cheap look at the id of an event nobody subscribed to.
     *
     * @throws UndecodableEventException when the bytes are not a single-object encoded {@link Event}
     */
    public static String idOf(byte[] bytes) {
        if (!isEvent(bytes)) {
            throw new UndecodableEventException("value is not a single-object encoded Event", null);
        }
        InPlace in = new InPlace(bytes, HEADER.length);
        int at = in.string(false);
        if (in.bad) {
            throw new UndecodableEventException("id length does not fit the value", null);
        }
        return new String(bytes, at, in.at - at, StandardCharsets.UTF_8);
    }

    /**
     * The id, message and sequence number of an encoded {@link Event} whose id and message are ASCII, read where they
     * are without building an {@link Event} or copying the message: what a subscriber's frame needs, at a fraction of
     * {@link #decode}'s cost. {@code null} for anything else (a non-ASCII id or message, a value that is not an Event
     * or does not end where its last field does): {@link #decode} answers those, replacing malformed UTF-8 as it
     * does. For every value where it answers, it answers what {@link #decode} gives.
     */
    public static EventFields asciiFieldsOf(byte[] bytes) {
        if (!isEvent(bytes)) {
            return null;
        }
        boolean sequenced = Arrays.equals(bytes, 0, HEADER.length, HEADER, 0, HEADER.length);
        InPlace in = new InPlace(bytes, HEADER.length);
        int idAt = in.string(true);
        int idLength = in.at - idAt;
        in.string(false); // the channel: the record's key names it for subscribers
        int messageAt = in.string(true);
        int messageLength = in.at - messageAt;
        in.varLong(); // publishedAt
        long seq = sequenced ? in.varLong() : 0;
        if (in.bad || in.at != bytes.length) {
            return null;
        }
        return new EventFields(
                new String(bytes, idAt, idLength, StandardCharsets.ISO_8859_1), messageAt, messageLength, seq);
    }

    /** Avro binary read forward from {@code at}; {@code bad} once anything did not fit. */
    private static final class InPlace {
        private final byte[] bytes;
        private int at;
        private boolean bad;

        InPlace(byte[] bytes, int at) {
            this.bytes = bytes;
            this.at = at;
        }

        /** A zig-zag varint long. */
        long varLong() {
            long raw = 0;
            for (int shift = 0; !bad; shift += 7) {
                if (at >= bytes.length || shift > 63) {
                    bad = true;
                    break;
                }
                int b = bytes[at++] & 0xFF;
                raw |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            return 0;
        }

        /**
         * A string: returns where its bytes start; they end at {@code at}. With {@code ascii}, bad unless they are
         * ASCII.
         */
        int string(boolean ascii) {
            long n = varLong();
            if (bad || n < 0 || n > bytes.length - at) {
                bad = true;
                return 0;
            }
            int start = at;
            at += (int) n;
            if (ascii) {
                for (int i = start; i < at; i++) {
                    if (bytes[i] < 0) {
                        bad = true;
                        break;
                    }
                }
            }
            return start;
        }
    }

    /**
     * Decodes one value.
     *
     * @throws UndecodableEventException when the bytes are not a single-object encoded {@link Event}
     */
    public static Event decode(byte[] bytes) {
        if (bytes == null) {
            throw new UndecodableEventException("value is null", null);
        }
        try {
            return DECODER.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new UndecodableEventException("value is not a single-object encoded Event: " + e.getMessage(), e);
        }
    }

    private static BinaryMessageDecoder<Event> decoder() {
        BinaryMessageDecoder<Event> decoder = Event.getDecoder();
        decoder.addSchema(V1);
        return decoder;
    }

    private static Schema loadSchema(String resource) {
        try (InputStream in = EventCodec.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing schema resource " + resource);
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read schema " + resource, e);
        }
    }

    private static byte[] header(long fingerprint) {
        byte[] header = new byte[10];
        header[0] = (byte) 0xC3;
        header[1] = (byte) 0x01;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }
}
