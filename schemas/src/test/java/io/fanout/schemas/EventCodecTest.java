package io.fanout.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fanout.schemas.avro.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private final Event event = Event.newBuilder()
            .setId("7d9f6c2e-1b7a-4d7e-9a53-0c3f5b1c2d4e")
            .setChannel("orders:eu")
            .setMessage("{\"total\":12.5,\"items\":[\"ü\",null]}")
            .setPublishedAt(Instant.ofEpochMilli(1_732_480_000_123L))
            .build();

    @Test
    void shouldRoundTripEveryField() {
        Event decoded = EventCodec.decode(EventCodec.encode(event));
        assertThat(decoded).isEqualTo(event);
        assertThat(decoded.getPublishedAt().toEpochMilli()).isEqualTo(1_732_480_000_123L);
    }

    @Test
    void shouldWriteTheBytesAvrosOwnEncoderWrites() throws Exception {
        Random random = new Random(42);
        List<String> texts = List.of(
                "",
                "a",
                "ü€𝄞 and ascii",
                "unpaired \ud800 surrogate",
                "x".repeat(63),
                "x".repeat(64), // lengths around the varint's one-byte limit (63 zig-zags to 126, 64 to 128)
                "y".repeat(20_000),
                "{\"total\":12.5,\"items\":[\"ü\",null]}");
        List<Long> longs =
                List.of(0L, 1L, -1L, 63L, 64L, -64L, -65L, 1_732_480_000_123L, Long.MAX_VALUE, Long.MIN_VALUE);
        for (int i = 0; i < 2_000; i++) {
            Event e = Event.newBuilder()
                    .setId(texts.get(random.nextInt(texts.size())))
                    .setChannel(texts.get(random.nextInt(texts.size())))
                    .setMessage(texts.get(random.nextInt(texts.size())))
                    .setPublishedAt(Instant.ofEpochMilli(
                            i % 3 == 0 ? longs.get(random.nextInt(7)) : random.nextLong() >> random.nextInt(64)))
                    .setSeq(
                            i % 2 == 0
                                    ? longs.get(random.nextInt(longs.size()))
                                    : random.nextLong() >> random.nextInt(64))
                    .build();
            assertThat(EventCodec.encode(e)).as("event %s", e).isEqualTo(withAvro(e));
        }
    }

    /** The event through Avro's own single-object encoder. */
    private static byte[] withAvro(Event e) throws java.io.IOException {
        java.nio.ByteBuffer buffer = Event.getEncoder().encode(e);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    @Test
    void shouldRoundTripTheSequenceNumberAndDefaultItToZero() {
        assertThat(event.getSeq()).isZero();
        Event sequenced = Event.newBuilder(event).setSeq(1_842L).build();
        assertThat(EventCodec.decode(EventCodec.encode(sequenced)).getSeq()).isEqualTo(1_842L);
    }

    @Test
    void shouldDecodeAValueTheFirstSchemaWroteWithSeqZero() throws Exception {
        byte[] bytes = firstSchemaValue(event);

        assertThat(EventCodec.isEvent(bytes)).isTrue();
        assertThat(EventCodec.idOf(bytes)).isEqualTo(event.getId());
        Event decoded = EventCodec.decode(bytes);
        assertThat(decoded).isEqualTo(event);
        assertThat(decoded.getSeq()).isZero();
    }

    @Test
    void shouldReadTheIdAloneAsDecodingWould() {
        assertThat(EventCodec.idOf(EventCodec.encode(event))).isEqualTo(event.getId());
        String longId = "ü-" + "x".repeat(300); // a length that takes two varint bytes
        Event other = Event.newBuilder(event).setId(longId).build();
        assertThat(EventCodec.idOf(EventCodec.encode(other))).isEqualTo(longId);
    }

    @Test
    void shouldRefuseToReadAnIdThatDoesNotFit() {
        byte[] bytes = EventCodec.encode(event);
        byte[] cut = java.util.Arrays.copyOf(bytes, 14);
        assertThatThrownBy(() -> EventCodec.idOf(cut)).isInstanceOf(UndecodableEventException.class);
        assertThatThrownBy(() -> EventCodec.idOf(new byte[] {1, 2, 3})).isInstanceOf(UndecodableEventException.class);
    }

    @Test
    void shouldWriteSingleObjectEncodingWithTheSchemaFingerprint() {
        byte[] bytes = EventCodec.encode(event);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = SchemaNormalization.parsingFingerprint64(Event.getClassSchema());
        long written = 0;
        for (int i = 9; i >= 2; i--) {
            written = (written << 8) | (bytes[i] & 0xFF); // little-endian
        }
        assertThat(written).isEqualTo(fingerprint);
    }

    @Test
    void shouldRefuseBytesThatAreNotAnEvent() {
        assertThatThrownBy(() -> EventCodec.decode("hello".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UndecodableEventException.class);
        assertThatThrownBy(() -> EventCodec.decode(new byte[0])).isInstanceOf(UndecodableEventException.class);
        assertThatThrownBy(() -> EventCodec.decode(null)).isInstanceOf(UndecodableEventException.class);
    }

    @Test
    void shouldRecognizeAnEventByItsMarkerAndSchemaFingerprint() {
        byte[] bytes = EventCodec.encode(event);
        assertThat(EventCodec.isEvent(bytes)).isTrue();
        assertThat(EventCodec.isEvent(null)).isFalse();
        assertThat(EventCodec.isEvent(new byte[0])).isFalse();
        assertThat(EventCodec.isEvent("not an event at all".getBytes(StandardCharsets.UTF_8)))
                .isFalse();
        assertThat(EventCodec.isEvent(java.util.Arrays.copyOf(bytes, 10)))
                .as("the header alone")
                .isFalse();
        for (int i = 0; i < 10; i++) {
            byte[] changed = bytes.clone();
            changed[i] ^= 0x01;
            assertThat(EventCodec.isEvent(changed))
                    .as("byte %d of the header changed", i)
                    .isFalse();
        }
        // only the header is checked: a truncated body still looks like an Event, decode() refuses it
        assertThat(EventCodec.isEvent(java.util.Arrays.copyOf(bytes, bytes.length - 5)))
                .isTrue();
    }

    @Test
    void shouldRefuseTruncatedValues() {
        byte[] bytes = EventCodec.encode(event);
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 5);
        assertThatThrownBy(() -> EventCodec.decode(truncated)).isInstanceOf(UndecodableEventException.class);
    }

    @Test
    void shouldServeTheEventsTopicWithChannelKeysAndEventValues() {
        Topic<String, Event> topic = Topics.events(Topics.DEFAULT_EVENTS);
        assertThat(topic.name()).isEqualTo("fanout.events");
        byte[] key = topic.keySerde().serializer().serialize(topic.name(), "orders:eu");
        assertThat(new String(key, StandardCharsets.UTF_8)).isEqualTo("orders:eu");
        byte[] value = topic.valueSerde().serializer().serialize(topic.name(), event);
        assertThat(topic.valueSerde().deserializer().deserialize(topic.name(), value))
                .isEqualTo(event);
        assertThatThrownBy(() -> topic.valueSerde().deserializer().deserialize(topic.name(), new byte[] {1, 2}))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void shouldReadAsciiFieldsInPlaceAsDecodingWould() throws Exception {
        Event ascii = Event.newBuilder(event)
                .setMessage("{\"total\":12.5,\"items\":[\"u\",null]}")
                .build();
        Event sequenced = Event.newBuilder(ascii).setSeq(1_842L).build();
        Event longOnes = Event.newBuilder(ascii)
                .setId("x".repeat(300)) // lengths that take two varint bytes
                .setMessage("\"" + "y".repeat(70_000) + "\"") // and three
                .setSeq(Long.MAX_VALUE)
                .build();
        for (byte[] value : List.of(
                EventCodec.encode(ascii),
                EventCodec.encode(sequenced),
                EventCodec.encode(longOnes),
                firstSchemaValue(ascii))) {
            EventFields fields = EventCodec.asciiFieldsOf(value);
            Event decoded = EventCodec.decode(value);
            assertThat(fields).isNotNull();
            assertThat(fields.id()).isEqualTo(decoded.getId());
            assertThat(fields.seq()).isEqualTo(decoded.getSeq());
            assertThat(new String(value, fields.messageAt(), fields.messageLength(), StandardCharsets.UTF_8))
                    .isEqualTo(decoded.getMessage());
        }
    }

    @Test
    void shouldLeaveNonAsciiAndMalformedValuesToDecode() {
        Event ascii = Event.newBuilder(event).setMessage("{}").build();
        byte[] value = EventCodec.encode(ascii);
        assertThat(EventCodec.asciiFieldsOf(value)).isNotNull();

        assertThat(EventCodec.asciiFieldsOf(EventCodec.encode(event)))
                .as("a non-ASCII message")
                .isNull();
        assertThat(EventCodec.asciiFieldsOf(
                        EventCodec.encode(Event.newBuilder(ascii).setId("ü").build())))
                .as("a non-ASCII id")
                .isNull();
        assertThat(EventCodec.asciiFieldsOf(EventCodec.encode(
                        Event.newBuilder(ascii).setChannel("kanal-ü").build())))
                .as("the channel is not read: the record's key names it")
                .isNotNull();
        for (int cut = 0; cut < value.length; cut++) {
            assertThat(EventCodec.asciiFieldsOf(Arrays.copyOf(value, cut)))
                    .as("cut to %d bytes", cut)
                    .isNull();
        }
        assertThat(EventCodec.asciiFieldsOf(Arrays.copyOf(value, value.length + 1)))
                .as("a byte more")
                .isNull();
        assertThat(EventCodec.asciiFieldsOf(null)).isNull();
        assertThat(EventCodec.asciiFieldsOf("not an event at all".getBytes(StandardCharsets.UTF_8)))
                .isNull();
        byte[] negativeLength = value.clone();
        negativeLength[10] = 0x01; // zig-zag -1
        assertThat(EventCodec.asciiFieldsOf(negativeLength)).isNull();
    }

    @Test
    void shouldAnswerAsDecodeDoesForEveryValueItReads() {
        Random random = new Random(13);
        String[] pieces = {"a", "\"", "\\", "\n", "é", "€", "😀", "\u007f", " ", "0"};
        int readInPlace = 0;
        for (int i = 0; i < 2_000; i++) {
            Event generated = Event.newBuilder(event)
                    .setId(text(random, pieces, 40))
                    .setMessage(text(random, pieces, 200))
                    .setSeq(random.nextBoolean() ? 0 : random.nextLong() & Long.MAX_VALUE)
                    .build();
            byte[] value = EventCodec.encode(generated);
            if (random.nextInt(4) == 0) {
                value[10 + random.nextInt(value.length - 10)] ^= (byte) (1 << random.nextInt(8));
            }
            EventFields fields = EventCodec.asciiFieldsOf(value);
            if (fields == null) {
                continue;
            }
            readInPlace++;
            Event decoded = EventCodec.decode(value);
            assertThat(fields.id()).isEqualTo(decoded.getId());
            assertThat(fields.seq()).isEqualTo(decoded.getSeq());
            assertThat(new String(value, fields.messageAt(), fields.messageLength(), StandardCharsets.UTF_8))
                    .isEqualTo(decoded.getMessage());
        }
        assertThat(readInPlace).as("values read in place, of 2,000").isGreaterThan(200);
    }

    private static String text(Random random, String[] pieces, int max) {
        StringBuilder text = new StringBuilder();
        int n = random.nextInt(max);
        boolean ascii = random.nextBoolean();
        for (int i = 0; i < n; i++) {
            String piece = pieces[random.nextInt(pieces.length)];
            text.append(ascii && piece.charAt(0) >= 0x80 ? "b" : piece);
        }
        return text.toString();
    }

    /** {@code event} as a producer still on the first schema (no {@code seq}) writes it. */
    private static byte[] firstSchemaValue(Event event) throws Exception {
        org.apache.avro.generic.GenericRecord old = new org.apache.avro.generic.GenericData.Record(EventCodec.V1);
        old.put("id", event.getId());
        old.put("channel", event.getChannel());
        old.put("message", event.getMessage());
        old.put("publishedAt", event.getPublishedAt().toEpochMilli());
        java.nio.ByteBuffer buffer = new org.apache.avro.message.BinaryMessageEncoder<
                        org.apache.avro.generic.GenericRecord>(org.apache.avro.generic.GenericData.get(), EventCodec.V1)
                .encode(old);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
