package io.fanout.common.security;

/** No token, or one that is not valid (bad signature, expired, malformed); HTTP 401 or WebSocket close 1008. */
public class InvalidTokenException extends RuntimeException {

    public InvalidTokenException(String message) {
        super(message);
    }
}
