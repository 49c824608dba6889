package io.fanout.common.publish;

/**
 * One event to publish: a valid channel and the message as compact JSON text.
 * Built only by {@link PublishRequestParser}, so both fields are always valid.
 */
public record PublishRequest(String channel, String message) {
}
