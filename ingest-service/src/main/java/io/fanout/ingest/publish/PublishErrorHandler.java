package io.fanout.ingest.publish;

import io.fanout.common.error.FanoutException;
import io.fanout.common.publish.PublishProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Every refusal of the HTTP API as the RFC 9457 problem its {@link FanoutException} carries: status, title and a
 * {@code detail} a person can act on, its headers ({@code WWW-Authenticate} on 401) and {@code Retry-After} when the
 * same request may succeed later (429, 503). The statuses themselves are decided by the exceptions, not here.
 */
@RestControllerAdvice
class PublishErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(PublishErrorHandler.class);

    private final String retryAfterSeconds;

    PublishErrorHandler(PublishProperties properties) {
        this.retryAfterSeconds = Long.toString(FanoutException.retryAfterSeconds(properties.retryAfter()));
    }

    @ExceptionHandler(FanoutException.class)
    ResponseEntity<ProblemDetail> refused(FanoutException e) {
        if (e.status() >= 500) {
            log.warn("publish refused: {}", e.getMessage());
        }
        ResponseEntity.BodyBuilder response =
                ResponseEntity.status(e.getStatusCode()).headers(e.getHeaders());
        if (e.retryLater()) {
            response.header(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        }
        return response.body(e.getBody());
    }
}
