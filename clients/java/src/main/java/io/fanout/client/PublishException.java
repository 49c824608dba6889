package io.fanout.client;

import java.time.Duration;
import java.util.Optional;

/**
 * A publish the ingest-service refused or could not take: {@link #status()} is the HTTP status (0 when no answer
 * came), {@link #detail()} the problem+json detail, {@link #retryAfter()} the wait the server asked for (429, 503).
 * With an idempotency key, retrying is safe: the event is never written twice.
 */
public class PublishException extends FanoutException {

    private final int status;
    private final String detail;
    private final Duration retryAfter;

    public PublishException(int status, String detail, Duration retryAfter, Throwable cause) {
        super("publish failed: " + status + " " + detail, cause);
        this.status = status;
        this.detail = detail;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
