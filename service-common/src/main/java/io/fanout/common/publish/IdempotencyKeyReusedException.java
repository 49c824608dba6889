package io.fanout.common.publish;

import io.fanout.common.error.FanoutException;
import org.springframework.http.HttpStatus;

/** An idempotency key sent again with a different channel or message: 422. */
public class IdempotencyKeyReusedException extends FanoutException {

    public IdempotencyKeyReusedException(String message) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused", message, CLOSE_POLICY_VIOLATION, false, null);
    }
}
