package io.fanout.common.security;

import io.fanout.common.error.FanoutException;
import org.springframework.http.HttpStatus;

/**
 * The client's token does not allow this channel: HTTP 403 problem+json (rendered by Spring wherever it is thrown
 * from a controller), WebSocket error frame 403 or close 1008. Its wording comes from {@link ChannelGrants}.
 */
public class ChannelForbiddenException extends FanoutException {

    public ChannelForbiddenException(String message) {
        super(HttpStatus.FORBIDDEN, "Channel not allowed", message, CLOSE_POLICY_VIOLATION, false, null);
    }
}
