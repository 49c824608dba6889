package io.fanout.schemas;

import io.fanout.schemas.avro.Event;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics of fanout, named once. The events topic is configurable ({@code fanout.topic}); its
 * key is the channel (UTF-8) and its value an {@link Event} in single-object encoding.
 */
public final class Topics {

    /** Default name of the events topic. */
    public static final String DEFAULT_EVENTS = "fanout.events";

    private Topics() {
    }

    public static Topic<String, Event> events(String name) {
        return new Topic<>(name, Serdes.String(), new EventSerde());
    }
}
