package io.fanout.common.security;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The client's token does not allow this channel: HTTP 403 problem+json (rendered by Spring wherever it is thrown
 * from a controller), WebSocket error frame 403 or close 1008.
 */
public class ChannelForbiddenException extends ErrorResponseException {

    public ChannelForbiddenException(String message) {
        super(HttpStatus.FORBIDDEN, problem(message), null);
    }

    private static ProblemDetail problem(String message) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, message);
        problem.setTitle("Channel not allowed");
        return problem;
    }

    @Override
    public String getMessage() {
        return getBody().getDetail();
    }
}
