package io.fanout.client;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
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
 *   <li>From a platform that numbers each channel's events ({@link Event#seq()}): the last seq handed out per channel
 *       and origin decides alone what is a repeat ({@link #accept}, counted in {@link #duplicates()}), tells how many
 *       events are missing before one ({@link #missedBefore}, less what a {@code truncated} frame {@link #explain
 *       explained}) and is sent on every resume as {@code seq=channel~origin~n} ({@link #seqValues()}).</li>
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
    /** {@code channel~origin -> last seq} handed out (a platform that numbers each channel's events). */
    private final Map<String, Long> seqs = new TreeMap<>();
    /** channel -> {firstSeq, lost} of a {@code truncated} frame that named no origin, until its next event. */
    private final Map<String, long[]> explainedAnyOrigin = new HashMap<>();

    private long duplicates;

    private static final Pattern SEQ = Pattern.compile("([^~]+)~([^~]*)~(\\d+)");

    ResumePosition(List<String> channels, Map<String, String> firstCursor) {
        this(channels, firstCursor, List.of());
    }

    /** With stored {@code seq} values ({@code channel~origin~n}) of an earlier subscription. */
    ResumePosition(List<String> channels, Map<String, String> firstCursor, List<String> seqValues) {
        this.channels = Set.copyOf(channels);
        Map<String, String> first = new HashMap<>(firstCursor);
        String given = first.remove("cursor");
        if (given != null) {
            for (String cursor : Cursors.split(List.of(given))) {
                cursors.put(Cursors.partitionOf(cursor), cursor);
            }
        }
        this.firstCursor = Map.copyOf(first);
        for (String value : seqValues) {
            var matcher = SEQ.matcher(value);
            if (!matcher.matches()) {
                throw new IllegalArgumentException("not a seq value 'channel~origin~n': '" + value + "'");
            }
            seqs.put(matcher.group(1) + "~" + matcher.group(2), Long.parseLong(matcher.group(3)));
        }
    }

    /** Checks stored {@code seq} values: {@code channel~origin~n}. */
    static List<String> checkSeqValues(List<String> values) {
        for (String value : values) {
            if (!SEQ.matcher(String.valueOf(value)).matches()) {
                throw new IllegalArgumentException("not a seq value 'channel~origin~n': '" + value + "'");
            }
        }
        return List.copyOf(values);
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

    /**
     * Seeds from the {@code cursor} of the server's {@code subscribed} frame (the stream's start, one cursor per
     * partition joined by {@code ,}): a partition no event has given a cursor yet resumes from there, on any instance
     * of any region, so a subscription that leaves before its first event resumes exactly instead of going live. The
     * cursors of events handed out are kept over it; an unreadable value is ignored (the offsets position still holds).
     */
    void seedCursor(String streamCursor) {
        List<String> parsed;
        try {
            parsed = Cursors.split(List.of(streamCursor));
        } catch (IllegalArgumentException unreadable) {
            return;
        }
        for (String cursor : parsed) {
            cursors.putIfAbsent(Cursors.partitionOf(cursor), cursor);
        }
    }

    /**
     * Whether {@code event} is new: a seq at or below the last one handed out of its channel and origin is a repeat;
     * without a known seq, an offset below what this connection handed out in its partition (and origin) is. Records
     * a new one; counts a repeat in {@link #duplicates()}.
     */
    boolean accept(Event event) {
        Long lastSeq = event.seq() >= 0 ? seqs.get(seqKey(event.channel(), event.origin())) : null;
        if (lastSeq != null && event.seq() <= lastSeq) {
            duplicates++;
            return false;
        }
        if (!acceptPosition(event, lastSeq == null)) {
            duplicates++;
            return false;
        }
        if (event.seq() >= 0) {
            seqs.put(seqKey(event.channel(), event.origin()), event.seq());
        }
        return true;
    }

    /**
     * How many events of {@code event}'s channel and origin are missing right before it and no {@code truncated}
     * frame explained: {@code seq - (last + 1)} beyond what such a frame said was deleted; 0 when nothing is missing,
     * when the event has no seq, or when no earlier seq of its channel and origin is known. Call it once per event,
     * before {@link #accept} (it uses up a frame that named the channel without an origin).
     */
    long missedBefore(Event event) {
        if (event.seq() < 0 || event.channel() == null) {
            return 0;
        }
        Long last = seqs.get(seqKey(event.channel(), event.origin()));
        if (last != null && event.seq() <= last) {
            return 0; // a repeat: accept drops it
        }
        long expected = last == null ? -1 : last + 1;
        long[] note = explainedAnyOrigin.remove(event.channel());
        if (note != null) {
            if (note[0] >= 0) {
                expected = Math.max(expected, note[0]);
            } else if (expected >= 0 && note[1] >= 0) {
                expected += note[1];
            }
        }
        return expected < 0 ? 0 : Math.max(0, event.seq() - expected);
    }

    /**
     * Takes a {@code truncated} frame that names its channel: the events it says were deleted ({@code firstSeq}: the
     * seq the channel continues with; else {@code lost}: how many) are not reported again as missing.
     */
    void explain(Gap gap) {
        if (gap.channel() == null || (gap.firstSeq() < 0 && gap.lost() < 0)) {
            return;
        }
        if (gap.origin() == null) {
            explainedAnyOrigin.put(gap.channel(), new long[] {gap.firstSeq(), gap.lost()});
            return;
        }
        String key = seqKey(gap.channel(), gap.origin());
        Long last = seqs.get(key);
        if (gap.firstSeq() >= 0) {
            seqs.put(key, Math.max(last == null ? 0 : last, gap.firstSeq() - 1));
        } else if (last != null) {
            seqs.put(key, last + gap.lost());
        }
    }

    /** The last seq handed out per channel and origin, as {@code seq=} values {@code channel~origin~n}. */
    List<String> seqValues() {
        return seqs.entrySet().stream()
                .filter(e ->
                        channels.contains(e.getKey().substring(0, e.getKey().indexOf('~'))))
                .map(e -> e.getKey() + "~" + e.getValue())
                .toList();
    }

    /** How many events {@link #accept} dropped as repeats. */
    long duplicates() {
        return duplicates;
    }

    private static String seqKey(String channel, String origin) {
        return channel + "~" + (origin == null ? "" : origin);
    }

    private boolean acceptPosition(Event event, boolean check) {
        if (event.cursor() != null) {
            String key = event.origin() + "/" + event.partition();
            Long next = seen.get(key);
            if (check && next != null && event.offset() < next) {
                return false;
            }
            seen.put(key, event.offset() + 1);
            cursors.put(event.partition(), event.cursor());
            channelsSeen.add(event.channel());
            return true;
        }
        Long wanted = handedOut.get(event.partition());
        if (check && wanted != null && event.offset() < wanted) {
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
