package io.fanout.client;

/** Base of the errors this client signals. */
public class FanoutException extends RuntimeException {

    public FanoutException(String message) {
        super(message);
    }

    public FanoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
