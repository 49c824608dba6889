package io.fanout.client;

import java.net.URI;

/**
 * The server refused the subscription: close 1008 (bad channel or cursor, token missing, expired or not allowing
 * the channel), 1009, or an HTTP 4xx at the handshake ({@link #code()} is then the status). Retrying cannot help.
 */
public class SubscriptionRefusedException extends FanoutException {

    private final int code;
    private final String reason;

    public SubscriptionRefusedException(int code, String reason, URI url) {
        super("subscription refused by " + url + ": " + code + " " + reason);
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }
}
