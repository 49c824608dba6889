package io.fanout.service.subscribe;

/** A subscriber whose bounded buffer overflowed; it is disconnected and may resume with a cursor. */
public class SlowSubscriberException extends RuntimeException {

    public SlowSubscriberException(String message) {
        super(message, null, false, false);
    }
}
