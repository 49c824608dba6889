package io.fanout.common.publish;

/** A publish request that can never succeed as sent (malformed JSON, missing message, bad channel). */
public class InvalidPublishException extends RuntimeException {

    public InvalidPublishException(String message) {
        super(message);
    }
}
