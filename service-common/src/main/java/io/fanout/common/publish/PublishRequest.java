package io.fanout.common.publish;

/**
 * One event to publish: a valid channel, the message as compact JSON text and, optionally, the client's
 * idempotency key (HTTP {@code Idempotency-Key}, or {@code id} in a WebSocket publish object).
 * Built only by {@link PublishRequestParser}, so every field is valid.
 */
public record PublishRequest(String channel, String message, String idempotencyKey) {

    /** A request without an idempotency key. */
    public PublishRequest(String channel, String message) {
        this(channel, message, null);
    }

    /** This request with {@code key} as its idempotency key ({@code null}: none); the key must be valid. */
    public PublishRequest withIdempotencyKey(String key) {
        return new PublishRequest(channel, message, key);
    }
}
