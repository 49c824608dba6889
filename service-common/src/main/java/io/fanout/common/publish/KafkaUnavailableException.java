package io.fanout.common.publish;

import io.fanout.common.error.FanoutException;
import org.springframework.http.HttpStatus;

/** Kafka could not take the write in time; retrying later may succeed: 503 with Retry-After. */
public class KafkaUnavailableException extends FanoutException {

    public KafkaUnavailableException(String message, Throwable cause) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "Kafka unavailable", message, CLOSE_TRY_AGAIN_LATER, true, cause);
    }
}
