package io.fanout.common.security;

import io.fanout.common.error.FanoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * No token, or one that is not valid (bad signature, expired, malformed): HTTP 401 problem+json with a
 * {@code WWW-Authenticate: Bearer} challenge, or WebSocket close 1008 with the message as reason.
 */
public class InvalidTokenException extends FanoutException {

    public InvalidTokenException(String message) {
        super(HttpStatus.UNAUTHORIZED, "Token required", message, CLOSE_POLICY_VIOLATION, false, null);
        getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }
}
