package io.fanout.ingest.publish;

import io.fanout.common.publish.EventTooLargeException;
import io.fanout.common.publish.IdempotencyKeyReusedException;
import io.fanout.common.publish.InvalidPublishException;
import io.fanout.common.publish.KafkaUnavailableException;
import io.fanout.common.publish.PublishProperties;
import io.fanout.common.publish.PublisherOverloadedException;
import io.fanout.common.security.ChannelForbiddenException;
import io.fanout.common.security.InvalidTokenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Publish failures as RFC 9457 problem details, each with a {@code detail} a person can act on. */
@RestControllerAdvice
class PublishErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(PublishErrorHandler.class);

    private final String retryAfterSeconds;

    PublishErrorHandler(PublishProperties properties) {
        this.retryAfterSeconds = Long.toString(Math.max(1, properties.retryAfter().toSeconds()));
    }

    @ExceptionHandler(InvalidPublishException.class)
    ProblemDetail invalid(InvalidPublishException e) {
        return problem(HttpStatus.BAD_REQUEST, "Invalid publish request", e.getMessage());
    }

    @ExceptionHandler({BodyTooLargeException.class, EventTooLargeException.class})
    ProblemDetail tooLarge(RuntimeException e) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "Body too large", e.getMessage());
    }

    @ExceptionHandler(IdempotencyKeyReusedException.class)
    ProblemDetail reused(IdempotencyKeyReusedException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused", e.getMessage());
    }

    @ExceptionHandler(InvalidTokenException.class)
    ResponseEntity<ProblemDetail> unauthorized(InvalidTokenException e) {
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .body(problem(HttpStatus.UNAUTHORIZED, "Token required", e.getMessage()));
    }

    @ExceptionHandler(ChannelForbiddenException.class)
    ProblemDetail forbidden(ChannelForbiddenException e) {
        return problem(HttpStatus.FORBIDDEN, "Channel not allowed", e.getMessage());
    }

    @ExceptionHandler(KafkaUnavailableException.class)
    ResponseEntity<ProblemDetail> unavailable(KafkaUnavailableException e) {
        log.warn("publish refused: {}", e.getMessage());
        return retryLater(HttpStatus.SERVICE_UNAVAILABLE, "Kafka unavailable", e.getMessage());
    }

    @ExceptionHandler(PublisherOverloadedException.class)
    ResponseEntity<ProblemDetail> overloaded(PublisherOverloadedException e) {
        return retryLater(HttpStatus.TOO_MANY_REQUESTS, "Publisher overloaded", e.getMessage());
    }

    private ResponseEntity<ProblemDetail> retryLater(HttpStatus status, String title, String detail) {
        return ResponseEntity.status(status)
                .header(HttpHeaders.RETRY_AFTER, retryAfterSeconds)
                .body(problem(status, title, detail));
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }
}
