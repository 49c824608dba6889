package io.fanout.service.subscribe;

import java.util.Map;
import java.util.TreeMap;

/**
 * The position-list format {@code p:o[,p:o]…} (partition ascending): the next offset per partition. It is what
 * {@code from=} accepts ({@link SubscribeRequestParser#positions}) and the {@code position} of the control frames.
 * Partitions of this region's own events topic are {@code p:o}; those of another origin's topic mirrored here are
 * {@code <origin>/p:o}, after them (so with no mirrors the format is exactly the original one).
 */
public final class Positions {

    private Positions() {}

    public static String format(Map<OriginPartition, Long> next, String home) {
        StringBuilder text = new StringBuilder();
        Map<OriginPartition, Long> others = new TreeMap<>();
        for (Map.Entry<OriginPartition, Long> entry : new TreeMap<>(next).entrySet()) {
            if (!entry.getKey().origin().equals(home)) {
                others.put(entry.getKey(), entry.getValue());
                continue;
            }
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(entry.getKey().partition()).append(':').append(entry.getValue());
        }
        for (Map.Entry<OriginPartition, Long> entry : others.entrySet()) {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(entry.getKey().origin())
                    .append('/')
                    .append(entry.getKey().partition())
                    .append(':')
                    .append(entry.getValue());
        }
        return text.toString();
    }
}
