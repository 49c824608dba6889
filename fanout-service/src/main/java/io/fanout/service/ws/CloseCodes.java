package io.fanout.service.ws;

import org.springframework.web.reactive.socket.CloseStatus;

/** The WebSocket close codes fanout sends (documented in the README). */
final class CloseCodes {

    /** Going away: the instance shuts down; reconnect, with a cursor to lose nothing. */
    static final CloseStatus GOING_AWAY = CloseStatus.GOING_AWAY.withReason("server shutting down; reconnect with from=");

    /** Private-use code: the client is further behind than {@code max-lag}; reconnect with {@code from=<position>}. */
    static final int SLOW_CONSUMER = 4000;

    private CloseCodes() {
    }

    static CloseStatus policyViolation(String reason) {
        return CloseStatus.POLICY_VIOLATION.withReason(reason);
    }

    /** 1013: not served now (the log unreadable, live delivery stopped, too many connections); retry shortly. */
    static CloseStatus tryAgainLater(String reason) {
        return new CloseStatus(1013, reason);
    }

    static CloseStatus slowConsumer(String reason) {
        return new CloseStatus(SLOW_CONSUMER, reason);
    }
}
