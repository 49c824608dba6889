package io.fanout.schemas;

/** A record value that is not an Avro single-object encoded {@code Event}. */
public class UndecodableEventException extends RuntimeException {

    public UndecodableEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
