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
        this("Token required", message, "Bearer");
    }

    private InvalidTokenException(String title, String message, String challenge) {
        super(HttpStatus.UNAUTHORIZED, title, message, CLOSE_POLICY_VIOLATION, false, null);
        getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
    }

    /**
     * The 401 of an HTTP request, worded alike wherever the request was checked: with no token, "Token required" and
     * a plain {@code Bearer} challenge; with a token that was refused for {@code reason}, "Invalid token" and an RFC
     * 6750 {@code invalid_token} challenge carrying the reason.
     *
     * @param reason why the presented token was refused, or {@code null} when the request carried none
     */
    static InvalidTokenException forHttp(String reason) {
        if (reason == null) {
            return new InvalidTokenException("a bearer token is required: send Authorization: Bearer <jwt> (or ?"
                    + BearerTokens.QUERY_PARAMETER + "=<jwt>)");
        }
        return new InvalidTokenException(
                "Invalid token",
                reason,
                "Bearer error=\"invalid_token\", error_description=\"" + reason.replace("\"", "'") + "\"");
    }
}
