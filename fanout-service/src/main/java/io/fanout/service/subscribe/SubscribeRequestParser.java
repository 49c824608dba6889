package io.fanout.service.subscribe;

import io.fanout.schemas.Channels;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.springframework.util.MultiValueMap;

/**
 * Reads {@code channel}, {@code from}, {@code last}, {@code since}, {@code cursor} and {@code seq} from a subscribe
 * URL's query. Refuses, with a reason short enough for a WebSocket close frame: a bad channel, more channels than
 * allowed, a malformed or negative cursor, more than one kind of cursor, or a malformed {@code seq} hint. {@code cursor} alone may repeat (one per
 * partition, e.g. the last one of each channel; each value may itself be several joined by {@code ,}, as in an SSE
 * event id); for one partition the cursor naming the newest time wins, the later one on a tie.
 */
@Component
public class SubscribeRequestParser {

    /** Most partition cursors one request may give. */
    static final int MAX_CURSORS = 256;

    /** Most {@code seq=} hints one request may give. */
    static final int MAX_SEQ_HINTS = 1024;

    private final SubscribeProperties properties;

    public SubscribeRequestParser(SubscribeProperties properties) {
        this.properties = properties;
    }

    public SubscribeRequest parse(MultiValueMap<String, String> query) {
        List<String> channels = channels(query.getOrDefault("channel", List.of()));
        return new SubscribeRequest(channels, cursor(query), lastSeqs(query.getOrDefault("seq", List.of()), channels));
    }

    /**
     * Parses {@code seq=<channel>~<origin>~<n>} hints: a subscribed channel, a region alias, {@code n} a whole number
     * (0: none of that channel and origin yet), each channel and origin once. {@code ~} appears in neither channel
     * names nor region aliases.
     */
    static Map<ChannelOrigin, Long> lastSeqs(List<String> values, List<String> channels) {
        if (values.size() > MAX_SEQ_HINTS) {
            throw new InvalidSubscribeException("at most " + MAX_SEQ_HINTS + " seq hints");
        }
        Map<ChannelOrigin, Long> hints = new java.util.HashMap<>();
        for (String value : values) {
            String[] fields = (value == null ? "" : value).split("~", -1);
            if (fields.length != 3) {
                throw new InvalidSubscribeException(
                        truncate("seq must be <channel>~<origin>~<n>, not '" + value + "'"));
            }
            if (!channels.contains(fields[0])) {
                throw new InvalidSubscribeException(
                        truncate("seq names '" + fields[0] + "', which is not a subscribed channel"));
            }
            if (!fields[1].matches(io.fanout.schemas.Topics.REGION_ALIAS)) {
                throw new InvalidSubscribeException(truncate("seq names no region alias in '" + value + "'"));
            }
            long seq = nonNegative("seq", fields[2], Long.MAX_VALUE);
            if (hints.put(new ChannelOrigin(fields[0], fields[1]), seq) != null) {
                throw new InvalidSubscribeException(
                        truncate("seq names channel " + fields[0] + " of origin " + fields[1] + " twice"));
            }
        }
        return hints;
    }

    private List<String> channels(List<String> given) {
        if (given.isEmpty()) {
            return List.of(Channels.DEFAULT);
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (String channel : given) {
            String problem = Channels.problem(channel);
            if (problem != null) {
                throw new InvalidSubscribeException(truncate("bad channel: " + problem));
            }
            distinct.add(channel);
        }
        if (distinct.size() > properties.maxChannels()) {
            throw new InvalidSubscribeException("at most " + properties.maxChannels() + " channels per connection");
        }
        return new ArrayList<>(distinct);
    }

    private Cursor cursor(MultiValueMap<String, String> query) {
        List<Map.Entry<String, List<String>>> cursors = query.entrySet().stream()
                .filter(e -> e.getKey().equals("from")
                        || e.getKey().equals("last")
                        || e.getKey().equals("since")
                        || e.getKey().equals("cursor"))
                .toList();
        if (cursors.isEmpty()) {
            return new Cursor.Live();
        }
        if (cursors.size() > 1
                || (cursors.get(0).getValue().size() > 1
                        && !cursors.get(0).getKey().equals("cursor"))) {
            throw new InvalidSubscribeException("give at most one cursor: from, last, since or cursor");
        }
        String name = cursors.get(0).getKey();
        if (name.equals("cursor")) {
            return resume(cursors.get(0).getValue());
        }
        String value = cursors.get(0).getValue().get(0);
        return switch (name) {
            case "from" ->
                value != null && value.contains(":")
                        ? positions(value)
                        : new Cursor.FromOffset(nonNegative("from", value, Long.MAX_VALUE));
            case "last" -> {
                long count = nonNegative("last", value, properties.maxLast());
                if (count == 0) {
                    throw new InvalidSubscribeException("last must be at least 1");
                }
                yield new Cursor.Last((int) count);
            }
            default -> new Cursor.Since(epochMillis(value));
        };
    }

    /**
     * Parses a position list {@code p:o[,p:o]…}: partitions and offsets non-negative, each partition once; an entry
     * {@code <origin>/p:o} names a partition of another origin's topic mirrored into this region ({@link Positions}).
     * This was the format of SSE event ids, so such a {@code Last-Event-ID} is a valid {@code from}.
     */
    public static Cursor.FromPositions positions(String value) {
        Map<Integer, Long> positions = new java.util.HashMap<>();
        Map<OriginPartition, Long> mirrored = new java.util.HashMap<>();
        for (String pair : value.split(",", -1)) {
            int slash = pair.indexOf('/');
            String origin = slash < 0 ? null : pair.substring(0, slash);
            String[] fields = pair.substring(slash + 1).split(":", -1);
            if (fields.length != 2) {
                throw new InvalidSubscribeException(
                        truncate("from must be an offset or partition:offset pairs, not '" + value + "'"));
            }
            if (origin != null && !origin.matches(io.fanout.schemas.Topics.REGION_ALIAS)) {
                throw new InvalidSubscribeException(truncate("from names no region alias in '" + pair + "'"));
            }
            long partition = nonNegative("from partition", fields[0], Integer.MAX_VALUE);
            long offset = nonNegative("from offset", fields[1], Long.MAX_VALUE);
            boolean twice = origin == null
                    ? positions.put((int) partition, offset) != null
                    : mirrored.put(new OriginPartition(origin, (int) partition), offset) != null;
            if (twice) {
                throw new InvalidSubscribeException("from names partition " + partition + " twice");
            }
        }
        return new Cursor.FromPositions(positions, mirrored);
    }

    /**
     * Parses {@code cursor=} values ({@link PartitionCursor}, several joined by {@code ,} allowed): for each partition
     * the cursor naming the newest time, the later one on a tie.
     */
    public static Cursor.Resume resume(List<String> values) {
        Map<Integer, PartitionCursor> latest = new java.util.HashMap<>();
        int count = 0;
        for (String value : values) {
            for (String text : (value == null ? "" : value).split(",", -1)) {
                if (++count > MAX_CURSORS) {
                    throw new InvalidSubscribeException("at most " + MAX_CURSORS + " cursors");
                }
                PartitionCursor cursor = PartitionCursor.parse(text.trim());
                latest.merge(
                        cursor.partition(),
                        cursor,
                        (before, after) -> after.newestTimestamp() >= before.newestTimestamp() ? after : before);
            }
        }
        return new Cursor.Resume(latest);
    }

    private static long nonNegative(String name, String value, long max) {
        long parsed;
        try {
            parsed = Long.parseLong(value == null ? "" : value);
        } catch (NumberFormatException e) {
            throw new InvalidSubscribeException(truncate(name + " must be a whole number, not '" + value + "'"));
        }
        if (parsed < 0) {
            throw new InvalidSubscribeException(name + " must not be negative");
        }
        if (parsed > max) {
            throw new InvalidSubscribeException(name + " must be at most " + max);
        }
        return parsed;
    }

    private static long epochMillis(String value) {
        String text = value == null ? "" : value.trim();
        if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
            return nonNegative("since", text, Long.MAX_VALUE);
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidSubscribeException(truncate(
                    "since must be epoch milliseconds or ISO-8601 (2026-11-24T10:00:00Z), not '" + value + "'"));
        }
    }

    /** Close reasons are limited to 123 bytes of UTF-8. */
    static String truncate(String reason) {
        byte[] bytes = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length <= 123) {
            return reason;
        }
        String cut = reason;
        while (cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 120) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "...";
    }
}
