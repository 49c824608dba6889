package io.fanout.common.publish;

/** An idempotency key sent again with a different channel or message (HTTP 422). */
public class IdempotencyKeyReusedException extends RuntimeException {

    public IdempotencyKeyReusedException(String message) {
        super(message);
    }
}
