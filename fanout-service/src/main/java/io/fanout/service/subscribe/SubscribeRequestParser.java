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
 * Reads {@code channel}, {@code from}, {@code last} and {@code since} from a subscribe URL's query.
 * Refuses, with a reason short enough for a WebSocket close frame: a bad channel, more channels than
 * allowed, a malformed or negative cursor, or more than one cursor.
 */
@Component
public class SubscribeRequestParser {

    private final SubscribeProperties properties;

    public SubscribeRequestParser(SubscribeProperties properties) {
        this.properties = properties;
    }

    public SubscribeRequest parse(MultiValueMap<String, String> query) {
        return new SubscribeRequest(channels(query.getOrDefault("channel", List.of())), cursor(query));
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
                        || e.getKey().equals("since"))
                .toList();
        if (cursors.isEmpty()) {
            return new Cursor.Live();
        }
        if (cursors.size() > 1 || cursors.get(0).getValue().size() > 1) {
            throw new InvalidSubscribeException("give at most one cursor: from, last or since");
        }
        String name = cursors.get(0).getKey();
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
     * Parses a position list {@code p:o[,p:o]…}: partitions and offsets non-negative, each partition once.
     * This is also the format of SSE event ids, so a {@code Last-Event-ID} is a valid {@code from}.
     */
    public static Cursor.FromPositions positions(String value) {
        java.util.Map<Integer, Long> positions = new java.util.HashMap<>();
        for (String pair : value.split(",", -1)) {
            int colon = pair.indexOf(':');
            if (colon < 0 || pair.indexOf(':', colon + 1) >= 0) {
                throw new InvalidSubscribeException(
                        truncate("from must be an offset or partition:offset pairs, not '" + value + "'"));
            }
            long partition = nonNegative("from partition", pair.substring(0, colon), Integer.MAX_VALUE);
            long offset = nonNegative("from offset", pair.substring(colon + 1), Long.MAX_VALUE);
            if (positions.put((int) partition, offset) != null) {
                throw new InvalidSubscribeException("from names partition " + partition + " twice");
            }
        }
        return new Cursor.FromPositions(positions);
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
