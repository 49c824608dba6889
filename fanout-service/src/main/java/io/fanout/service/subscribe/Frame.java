package io.fanout.service.subscribe;

/** Something a session sends: an event (read from the log, or live with its shared bytes) or a notice. */
public sealed interface Frame permits EventFrame, LiveFrame, TruncationNotice, ControlFrame {

    /** The frame's JSON, UTF-8; shared, never modified. */
    byte[] json();
}
