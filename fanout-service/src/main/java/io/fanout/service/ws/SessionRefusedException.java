package io.fanout.service.ws;

import org.springframework.web.reactive.socket.CloseStatus;

/** A WebSocket session the {@link SessionGate} did not admit; the handler closes it with {@link #status()}. */
final class SessionRefusedException extends RuntimeException {

    private final transient CloseStatus status;

    SessionRefusedException(CloseStatus status) {
        super(status.getReason(), null, false, false);
        this.status = status;
    }

    CloseStatus status() {
        return status;
    }
}
