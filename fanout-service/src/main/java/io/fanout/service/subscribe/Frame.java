package io.fanout.service.subscribe;

/** Something a session sends: an event, or a notice about the stream itself. */
public sealed interface Frame permits EventFrame, TruncationNotice {

    /** The frame's JSON, UTF-8; shared, never modified. */
    byte[] json();
}
