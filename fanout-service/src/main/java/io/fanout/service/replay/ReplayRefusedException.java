package io.fanout.service.replay;

/** A replay refused because this instance already runs as many as it is configured to. */
public class ReplayRefusedException extends RuntimeException {

    public ReplayRefusedException(String message) {
        super(message, null, false, false);
    }
}
