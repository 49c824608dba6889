package io.fanout.service.sse;

import java.util.Map;
import java.util.TreeMap;

/**
 * The position of one SSE stream, per partition of its channels: the next offset it would send. Each
 * event's {@code id} is this position after the event ({@code 3:1235,7:88}), which is also a valid
 * {@code from} cursor, so {@code Last-Event-ID} resumes every channel of the stream with no loss and no
 * duplicate. Not thread-safe: one per stream, used in its signal order.
 */
final class EventIds {

    private final TreeMap<Integer, Long> next = new TreeMap<>();

    void start(Map<Integer, Long> positions) {
        next.putAll(positions);
    }

    /** Records that {@code offset} of {@code partition} was sent and returns the id to send with it. */
    String after(int partition, long offset) {
        next.put(partition, offset + 1);
        StringBuilder id = new StringBuilder();
        for (Map.Entry<Integer, Long> entry : next.entrySet()) {
            if (id.length() > 0) {
                id.append(',');
            }
            id.append(entry.getKey()).append(':').append(entry.getValue());
        }
        return id.toString();
    }
}
