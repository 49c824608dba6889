package io.fanout.schemas;

import io.fanout.schemas.avro.Event;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde for {@link Event} values, through {@link EventCodec}. */
public final class EventSerde implements Serde<Event> {

    @Override
    public Serializer<Event> serializer() {
        return (topic, event) -> event == null ? null : EventCodec.encode(event);
    }

    @Override
    public Deserializer<Event> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return EventCodec.decode(bytes);
            } catch (UndecodableEventException e) {
                throw new SerializationException(e.getMessage(), e);
            }
        };
    }
}
