package io.fanout.client;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where a subscription resumes: the one place that knows the server's resume formats: {@code cursor=} (the
 * region-independent cursor of the last event handed out in each partition, comma-joined) when the server sends
 * cursors, else the {@code from=} position list {@code p:o,p:o} (the next offset per partition, one region only).
 *
 * <ul>
 *   <li>{@link #accept} for every event before it is handed out: keeps its cursor for its partition (or, without
 *       one, sets {@code partition -> offset + 1}) and says whether the event is new (one below what was handed out
 *       on this connection is a repeat and is dropped).</li>
 *   <li>{@link #seed} with the server's {@code subscribed} frame, whose position covers every partition of the
 *       subscription.</li>
 *   <li>{@link #query} is the cursor of the next connection: {@code from=<positions>} once every channel's
 *       partition is known (from the {@code subscribed} frame or an event of each channel); before that the first
 *       cursor again, or for a live subscription {@code since} shortly before its first connection. {@code accept}
 *       drops what was already handed out, so nothing repeats.</li>
 * </ul>
 *
 * <p>Not thread-safe: one subscription owns it and calls it from one thread at a time.
 */
final class ResumePosition {

    /** How far before its first connection a live subscription that never learned its positions looks back. */
    static final long LIVE_LOOKBACK_MS = 5_000;

    private final Set<String> channels;
    private final Map<String, String> firstCursor;
    private final Map<Integer, String> cursors = new TreeMap<>();
    /** {@code origin/partition -> next offset} of cursor events: repeats on the connection that sent them. */
    private final Map<String, Long> seen = new HashMap<>();

    private final Map<Integer, Long> handedOut = new HashMap<>();
    private final Map<Integer, Long> seeded = new HashMap<>();
    private final Set<String> channelsSeen = new HashSet<>();
    private boolean complete;
    private long firstConnectedMs = -1;

    ResumePosition(List<String> channels, Map<String, String> firstCursor) {
        this.channels = Set.copyOf(channels);
        Map<String, String> first = new HashMap<>(firstCursor);
        String given = first.remove("cursor");
        if (given != null) {
            for (String cursor : Cursors.split(List.of(given))) {
                cursors.put(Cursors.partitionOf(cursor), cursor);
            }
        }
        this.firstCursor = Map.copyOf(first);
    }

    /**
     * A connection resumes with {@code cursor=}: the server sends exactly what follows, numbered by its own region
     * (another region's offsets differ), so the offsets seen before say nothing about repeats any more.
     */
    void resumedByCursor() {
        seen.clear();
    }

    void connected(long nowMs) {
        if (firstConnectedMs < 0) {
            firstConnectedMs = nowMs;
        }
    }

    /**
     * Seeds from the server's start position. One that names partitions of other regions' mirrored topics
     * ({@code r2/3:40}, a server reading several regions), or that this client cannot read, is not kept: a partial
     * position would start those topics live on a resume; the cursor of the first event replaces it anyway.
     */
    void seed(String position) {
        if (position.contains("/")) {
            return;
        }
        Map<Integer, Long> parsed;
        try {
            parsed = parse(position);
        } catch (IllegalArgumentException unreadable) {
            return;
        }
        seeded.putAll(parsed);
        complete = true;
    }

    boolean accept(Event event) {
        if (event.cursor() != null) {
            String key = event.origin() + "/" + event.partition();
            Long next = seen.get(key);
            if (next != null && event.offset() < next) {
                return false;
            }
            seen.put(key, event.offset() + 1);
            cursors.put(event.partition(), event.cursor());
            channelsSeen.add(event.channel());
            return true;
        }
        Long wanted = handedOut.get(event.partition());
        if (wanted != null && event.offset() < wanted) {
            return false;
        }
        handedOut.put(event.partition(), event.offset() + 1);
        channelsSeen.add(event.channel());
        return true;
    }

    /** After a gap: nothing below {@code earliest} exists any more, so it is not asked for (and reported) again. */
    void skipTo(int partition, long earliest) {
        if (handedOut.getOrDefault(partition, -1L) < earliest) {
            handedOut.put(partition, earliest);
        }
    }

    /** Next offset per partition: handed-out positions over the {@code subscribed} frame's. */
    Map<Integer, Long> positions() {
        Map<Integer, Long> merged = new TreeMap<>(seeded);
        merged.putAll(handedOut);
        return merged;
    }

    /** The cursor query parameters of the next connection; empty to start live. */
    Map<String, String> query() {
        if (!cursors.isEmpty()) {
            return Map.of("cursor", String.join(",", cursors.values()));
        }
        if (complete || channelsSeen.containsAll(channels)) {
            Map<Integer, Long> positions = positions();
            return positions.isEmpty() ? Map.of() : Map.of("from", format(positions));
        }
        if (!firstCursor.isEmpty()) {
            return firstCursor;
        }
        if (firstConnectedMs >= 0) {
            return Map.of("since", Long.toString(firstConnectedMs - LIVE_LOOKBACK_MS));
        }
        return Map.of();
    }

    static String format(Map<Integer, Long> positions) {
        return new TreeMap<>(positions)
                .entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
    }

    /** {@code "3:17,7:0"} to {@code {3=17, 7=0}}; {@link IllegalArgumentException} on anything else. */
    static Map<Integer, Long> parse(String position) {
        Map<Integer, Long> result = new LinkedHashMap<>();
        if (position.isEmpty()) {
            return result;
        }
        for (String part : position.split(",", -1)) {
            int colon = part.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("bad position '" + position + "'");
            }
            try {
                int partition = Integer.parseInt(part.substring(0, colon));
                long offset = Long.parseLong(part.substring(colon + 1));
                if (partition < 0 || offset < 0) {
                    throw new IllegalArgumentException("bad position '" + position + "'");
                }
                result.put(partition, offset);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad position '" + position + "'", e);
            }
        }
        return result;
    }
}
