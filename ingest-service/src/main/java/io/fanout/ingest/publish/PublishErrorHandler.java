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
 * {@link PushExchange} answers its refusals with the same {@link #headersOf}.
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
        return ResponseEntity.status(e.getStatusCode()).headers(headersOf(e)).body(e.getBody());
    }

    /** The headers of the answer to {@code refusal} (logged when it is a 5xx): its own, and {@code Retry-After}. */
    HttpHeaders headersOf(FanoutException refusal) {
        if (refusal.status() >= 500) {
            log.warn("publish refused: {}", refusal.getMessage());
        }
        HttpHeaders headers = new HttpHeaders();
        headers.putAll(refusal.getHeaders());
        if (refusal.retryLater()) {
            headers.set(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        }
        return headers;
    }
}
