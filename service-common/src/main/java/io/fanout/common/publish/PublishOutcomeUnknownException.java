package io.fanout.common.publish;

import io.fanout.common.error.FanoutException;
import org.springframework.http.HttpStatus;

/**
 * An earlier publish with the same idempotency key was handed to Kafka and its outcome is not known yet (Kafka has
 * neither acknowledged nor refused it): writing again could write the event twice, so the retry is refused with 503
 * and Retry-After until the first write's fate is known.
 */
public class PublishOutcomeUnknownException extends FanoutException {

    public PublishOutcomeUnknownException(String message) {
        super(
                HttpStatus.SERVICE_UNAVAILABLE,
                "Earlier publish still in flight",
                message,
                CLOSE_TRY_AGAIN_LATER,
                true,
                null);
    }
}
