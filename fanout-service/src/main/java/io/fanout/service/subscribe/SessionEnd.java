package io.fanout.service.subscribe;

/**
 * Why the server ends a subscription (the socket or stream then closes).
 *
 * @param reason what happened
 * @param detail a sentence for the client, at most 123 bytes (a WebSocket close reason)
 */
public record SessionEnd(Reason reason, String detail) {

    public enum Reason {
        /** Further behind than {@code fanout.subscribe.max-lag}: WebSocket 4000. */
        TOO_FAR_BEHIND,
        /** The log could not be read (Kafka unreachable while planning or reading): WebSocket 1013. */
        LOG_UNAVAILABLE,
        /** This instance stopped delivering live events: WebSocket 1013, resume on another instance. */
        DELIVERY_STOPPED,
        /** A {@code cursor=} names an event that has not reached this region yet: WebSocket 4001, retry later. */
        CURSOR_AHEAD,
        /**
         * Writing the session's frames failed unexpectedly (a fault of this instance, logged with its stack trace):
         * WebSocket 1011, resume with the last cursor.
         */
        INTERNAL_ERROR
    }
}
