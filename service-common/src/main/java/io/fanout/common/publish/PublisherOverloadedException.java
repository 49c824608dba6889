package io.fanout.common.publish;

import io.fanout.common.error.FanoutException;
import org.springframework.http.HttpStatus;

/** More publishes are waiting for Kafka than this instance is configured to hold: 429 with Retry-After. */
public class PublisherOverloadedException extends FanoutException {

    public PublisherOverloadedException(String message) {
        super(HttpStatus.TOO_MANY_REQUESTS, "Publisher overloaded", message, CLOSE_TRY_AGAIN_LATER, true, null);
    }
}
