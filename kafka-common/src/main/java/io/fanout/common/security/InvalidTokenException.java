package io.fanout.common.security;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * No token, or one that is not valid (bad signature, expired, malformed): HTTP 401 problem+json with a
 * {@code WWW-Authenticate: Bearer} challenge, or WebSocket close 1008 with the message as reason.
 */
public class InvalidTokenException extends ErrorResponseException {

    public InvalidTokenException(String message) {
        super(HttpStatus.UNAUTHORIZED, problem(message), null);
        getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }

    private static ProblemDetail problem(String message) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, message);
        problem.setTitle("Token required");
        return problem;
    }

    @Override
    public String getMessage() {
        return getBody().getDetail();
    }
}
