package io.fanout.service.sse;

import io.fanout.service.subscribe.Subscription;

/**
 * SSE event ids: the stream's region-independent cursor after the event, one {@code PartitionCursor} per partition of
 * its channels joined by {@code ,} ({@link Subscription#cursorText}), so {@code Last-Event-ID} resumes every channel
 * of the stream with no loss and no duplicate, on any instance of any region. While no cursor is known yet it is the
 * position list {@code 3:1235,7:88} ({@link Subscription#positionText}), valid in this region. Both forms are accepted
 * back: an id with a {@code .} is a cursor, one without a position list.
 */
final class EventIds {

    private EventIds() {}

    static String of(Subscription subscription) {
        String cursor = subscription.cursorText();
        return cursor.isEmpty() ? subscription.positionText() : cursor;
    }

    /** The query parameter a {@code Last-Event-ID} stands for: {@code cursor} or {@code from}. */
    static String parameterOf(String lastEventId) {
        return lastEventId.contains(".") ? "cursor" : "from";
    }
}
