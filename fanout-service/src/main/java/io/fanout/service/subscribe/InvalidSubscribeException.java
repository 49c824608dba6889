package io.fanout.service.subscribe;

/** A subscribe request that breaks the contract; the message says what to fix (at most 123 bytes, a close reason). */
public class InvalidSubscribeException extends RuntimeException {

    public InvalidSubscribeException(String message) {
        super(message);
    }
}
