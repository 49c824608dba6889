package io.fanout.client;

import java.net.URI;
import java.time.Duration;

/**
 * A change of a subscription's connection, as {@link SubscribeOptions#onState} receives it.
 *
 * @param state       what happened
 * @param url         the fan-out instance it is about
 * @param attempt     consecutive failed attempts before this change (0 on a healthy connection)
 * @param code        {@link State#DISCONNECTED} and {@link State#CLOSED}: the close code (1006 when the connection
 *                    broke or could not be made, an HTTP status for a refused handshake); otherwise null
 * @param reason      the close reason or error, or null
 * @param retryIn     {@link State#DISCONNECTED}: the back-off before the next attempt; otherwise null
 * @param resumedFrom {@link State#CONNECTED} after a disconnect: the cursor it resumed with ({@code cursor=...},
 *                    {@code from=...}, the
 *                    first cursor again, or {@code live}); otherwise null
 */
public record StateChange(
        State state, URI url, int attempt, Integer code, String reason, Duration retryIn, String resumedFrom) {

    /** The states of a subscription's connection. */
    public enum State {
        CONNECTING,
        CONNECTED,
        CATCHING_UP,
        LIVE,
        /**
         * The resume cursor names an event that has not reached the instance's region yet (a {@code cursor-ahead}
         * frame; {@code code} 4001, {@code reason} the server's detail, which names the event's origin region). A
         * {@link #DISCONNECTED} follows, and the subscription retries the same URL, then the next.
         */
        CURSOR_AHEAD,
        DISCONNECTED,
        CLOSED
    }
}
