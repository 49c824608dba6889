package io.fanout.common.security;

/** The client's token does not allow this channel (HTTP 403, WebSocket error frame 403 or close 1008). */
public class ChannelForbiddenException extends RuntimeException {

    public ChannelForbiddenException(String message) {
        super(message);
    }
}
