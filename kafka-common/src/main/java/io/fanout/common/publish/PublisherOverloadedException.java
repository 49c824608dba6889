package io.fanout.common.publish;

/** More publishes are waiting for Kafka than this instance is configured to hold; retry shortly. */
public class PublisherOverloadedException extends RuntimeException {

    public PublisherOverloadedException(String message) {
        super(message);
    }
}
