package io.fanout.common.publish;

/** Kafka refused the record as larger than it accepts. */
public class EventTooLargeException extends RuntimeException {

    public EventTooLargeException(String message, Throwable cause) {
        super(message, cause);
    }
}
