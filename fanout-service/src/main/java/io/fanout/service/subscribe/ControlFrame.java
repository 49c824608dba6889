package io.fanout.service.subscribe;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A frame about the stream itself rather than an event (documented in {@code docs/REPLAY-AND-CATCH-UP.md}):
 * {@code subscribed} at the start of a WebSocket session, {@code catching-up} when a session falls back to reading
 * the log, {@code live} when it takes live events again, {@code last-incomplete} when a {@code last=N} search stopped
 * at its bounds. Immutable.
 *
 * @param type the {@code type} field, also the SSE event name
 * @param json the whole frame
 */
public record ControlFrame(String type, byte[] json) implements Frame {

    /**
     * {@code {"type":"subscribed","channels":[...],"position":"p:o,...","cursor":"1.3.r1~...,1.7.r1~..."}}: where the
     * stream starts, as a position list of this region and, when known ({@code cursor} not empty), as the stream's
     * region-independent cursor ({@link Subscription#cursorText}), which resumes it exactly on any instance of any
     * region before its first event; without a known cursor the field is left out.
     */
    public static ControlFrame subscribed(List<String> channels, String position, String cursor) {
        String names = channels.stream().map(c -> "\"" + c + "\"").collect(Collectors.joining(","));
        String fields = "\"channels\":[" + names + "],\"position\":\"" + position + "\"";
        return of("subscribed", cursor.isEmpty() ? fields : fields + ",\"cursor\":\"" + cursor + "\"");
    }

    /** {@code {"type":"catching-up","position":"p:o,..."}}: live events stopped; the log is read from here. */
    public static ControlFrame catchingUp(String position) {
        return of("catching-up", "\"position\":\"" + position + "\"");
    }

    /** {@code {"type":"live","position":"p:o,..."}}: caught up; live events follow. */
    public static ControlFrame live(String position) {
        return of("live", "\"position\":\"" + position + "\"");
    }

    /**
     * {@code {"type":"last-incomplete","partition":3,"requested":100,"found":42}}: the search for the last events
     * stopped at its bounds; the {@code found} newest events of the partition's channels follow, none newer is left
     * out.
     */
    public static ControlFrame lastIncomplete(int partition, int requested, int found) {
        return of(
                "last-incomplete",
                "\"partition\":" + partition + ",\"requested\":" + requested + ",\"found\":" + found);
    }

    /**
     * {@code {"type":"cursor-ahead","origin":"r1","partition":3,"detail":"..."}}: the cursor names an event of
     * {@code origin} that has not reached this region yet; the session is then closed (WebSocket 4001), and the client
     * retries with the same cursor after a pause, or resumes in the origin region.
     */
    public static ControlFrame cursorAhead(String origin, int partition, String detail) {
        return of(
                "cursor-ahead",
                "\"origin\":\"" + origin + "\",\"partition\":" + partition + ",\"detail\":\"" + detail + "\"");
    }

    private static ControlFrame of(String type, String fields) {
        return new ControlFrame(type, ("{\"type\":\"" + type + "\"," + fields + "}").getBytes(StandardCharsets.UTF_8));
    }
}
