package io.fanout.common.publish;

/** Kafka could not take the write in time; retrying later may succeed. */
public class KafkaUnavailableException extends RuntimeException {

    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
