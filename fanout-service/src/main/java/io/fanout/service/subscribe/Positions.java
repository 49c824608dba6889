package io.fanout.service.subscribe;

import java.util.Map;
import java.util.TreeMap;

/**
 * The position-list format {@code p:o[,p:o]…} (partition ascending): the next offset per partition. It is what
 * {@code from=} accepts ({@link SubscribeRequestParser#positions}), an SSE event id and the {@code position} of the
 * control frames.
 */
public final class Positions {

    private Positions() {}

    public static String format(Map<Integer, Long> next) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<Integer, Long> entry : new TreeMap<>(next).entrySet()) {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(entry.getKey()).append(':').append(entry.getValue());
        }
        return text.toString();
    }
}
