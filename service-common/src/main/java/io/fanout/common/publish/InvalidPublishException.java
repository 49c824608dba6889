package io.fanout.common.publish;

import io.fanout.common.error.FanoutException;
import org.springframework.http.HttpStatus;

/** A publish request that can never succeed as sent (malformed JSON, missing message, bad channel): 400. */
public class InvalidPublishException extends FanoutException {

    public InvalidPublishException(String message) {
        super(HttpStatus.BAD_REQUEST, "Invalid publish request", message, CLOSE_POLICY_VIOLATION, false, null);
    }
}
