package io.fanout.ingest.publish;

import io.fanout.common.error.FanoutException;
import org.springframework.http.HttpStatus;

/** A request body over the configured limit: 413. */
class BodyTooLargeException extends FanoutException {

    BodyTooLargeException(long declared, int limit) {
        super(
                HttpStatus.CONTENT_TOO_LARGE,
                "Body too large",
                (declared > 0 ? "body is " + declared + " bytes" : "body is larger than the limit") + "; at most "
                        + limit + " bytes are accepted (fanout.publish.max-body-size)",
                CLOSE_TOO_BIG,
                false,
                null);
    }
}
