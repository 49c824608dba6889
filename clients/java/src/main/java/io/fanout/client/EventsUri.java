package io.fanout.client;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds the {@code ws://host/events?channel=...&cursor} URI of a subscription from an instance's base URL. */
final class EventsUri {

    private EventsUri() {}

    /**
     * {@code http://h:8081}, {@code ws://h:8081} or a full {@code .../events} URL, plus the channels and cursor.
     * {@code :}, {@code ,} and {@code ~} stay unencoded: channel names, positions and cursors use them, and
     * fanout-service's WebSocket endpoint reads the query without percent-decoding it.
     */
    static URI of(URI base, List<String> channels, Map<String, String> cursor) {
        return of(base, channels, cursor, List.of());
    }

    /** The same, plus one {@code seq=channel~origin~n} per value (the last seq of each channel and origin). */
    static URI of(URI base, List<String> channels, Map<String, String> cursor, List<String> seqs) {
        String scheme = switch (String.valueOf(base.getScheme())) {
            case "http", "ws" -> "ws";
            case "https", "wss" -> "wss";
            default ->
                throw new IllegalArgumentException(
                        "not a fan-out URL: " + base + " (want ws://, wss://, http:// or https://)");
        };
        String path = base.getRawPath() == null
                        || base.getRawPath().isEmpty()
                        || base.getRawPath().equals("/")
                ? "/events"
                : base.getRawPath();
        StringBuilder query = new StringBuilder();
        if (base.getRawQuery() != null) {
            query.append(base.getRawQuery());
        }
        for (String channel : channels) {
            append(query, "channel", channel);
        }
        new TreeMap<>(cursor).forEach((name, value) -> append(query, name, value));
        for (String seq : seqs) {
            append(query, "seq", seq);
        }
        return URI.create(scheme + "://" + base.getRawAuthority() + path + (query.length() == 0 ? "" : "?" + query));
    }

    /** The cursor as a query string, for {@link StateChange#resumedFrom()}. */
    static String describe(Map<String, String> cursor) {
        return describe(cursor, List.of());
    }

    /** The cursor and seq values as a query string, for {@link StateChange#resumedFrom()}. */
    static String describe(Map<String, String> cursor, List<String> seqs) {
        StringBuilder query = new StringBuilder();
        new TreeMap<>(cursor).forEach((name, value) -> append(query, name, value));
        for (String seq : seqs) {
            append(query, "seq", seq);
        }
        return query.length() == 0 ? "live" : query.toString();
    }

    private static void append(StringBuilder query, String name, String value) {
        if (query.length() > 0) {
            query.append('&');
        }
        query.append(name)
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)
                        .replace("%3A", ":")
                        .replace("%2C", ",")
                        .replace("%7E", "~"));
    }
}
