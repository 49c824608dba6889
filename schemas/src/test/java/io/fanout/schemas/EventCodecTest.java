package io.fanout.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fanout.schemas.avro.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
    void shouldRoundTripTheSequenceNumberAndDefaultItToZero() {
        assertThat(event.getSeq()).isZero();
        Event sequenced = Event.newBuilder(event).setSeq(1_842L).build();
        assertThat(EventCodec.decode(EventCodec.encode(sequenced)).getSeq()).isEqualTo(1_842L);
    }

    @Test
    void shouldDecodeAValueTheFirstSchemaWroteWithSeqZero() throws Exception {
        org.apache.avro.generic.GenericRecord old = new org.apache.avro.generic.GenericData.Record(EventCodec.V1);
        old.put("id", event.getId());
        old.put("channel", event.getChannel());
        old.put("message", event.getMessage());
        old.put("publishedAt", 1_732_480_000_123L);
        java.nio.ByteBuffer buffer = new org.apache.avro.message.BinaryMessageEncoder<
                        org.apache.avro.generic.GenericRecord>(org.apache.avro.generic.GenericData.get(), EventCodec.V1)
                .encode(old);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);

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
}
