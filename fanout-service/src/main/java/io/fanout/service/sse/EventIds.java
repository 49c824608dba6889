package io.fanout.service.sse;

import io.fanout.service.subscribe.Positions;
import java.util.Map;

/**
 * SSE event ids: the stream's position after the event, per partition of its channels, the next offset it would
 * send ({@code 3:1235,7:88}). That is also a valid {@code from} cursor, so {@code Last-Event-ID} resumes every
 * channel of the stream with no loss and no duplicate.
 */
final class EventIds {

    private EventIds() {}

    static String of(Map<Integer, Long> position) {
        return Positions.format(position);
    }
}
