package io.fanout.schemas;

/** A channel name that breaks the rules of {@link Channels}; the message says which rule. */
public class InvalidChannelException extends IllegalArgumentException {

    public InvalidChannelException(String message) {
        super(message);
    }
}
