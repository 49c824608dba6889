package io.fanout.common.publish;

import io.fanout.common.error.FanoutException;
import org.springframework.http.HttpStatus;

/** The body, or the record Kafka would get, is larger than accepted: 413, close 1009. */
public class EventTooLargeException extends FanoutException {

    public EventTooLargeException(String message, Throwable cause) {
        super(HttpStatus.CONTENT_TOO_LARGE, "Body too large", message, CLOSE_TOO_BIG, false, cause);
    }
}
