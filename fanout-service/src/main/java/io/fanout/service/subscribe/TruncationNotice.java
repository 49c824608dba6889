package io.fanout.service.subscribe;

import java.nio.charset.StandardCharsets;

/**
 * Sent before the events of a partition when the position asked for is older than what Kafka still keeps:
 * {@code {"type":"truncated","partition":3,"requested":100,"earliest":250}} for an offset,
 * {@code {"type":"truncated","partition":3,"since":1732480000000,"earliest":250}} for a {@code since=} time whose
 * events may have been among the deleted records, or
 * {@code {"type":"truncated","origin":"r2","partition":3,"since":1732480000000,"earliest":250}} for a {@code cursor=}
 * whose event has left this region (its time in {@code since}). Events follow from {@code earliest}; nothing between
 * is silently skipped. {@code origin} is written for notices about another origin's topic, and for cursors.
 *
 * @param origin the origin region of the topic read, or {@code null} for this region's own (not written)
 * @param requested the offset asked for, or {@code -1} for a {@code since}
 * @param since the time asked for, or {@code -1} for an offset
 */
public record TruncationNotice(String origin, int partition, long requested, long since, long earliest)
        implements Frame {

    public static TruncationNotice ofOffset(int partition, long requested, long earliest) {
        return new TruncationNotice(null, partition, requested, -1, earliest);
    }

    public static TruncationNotice ofSince(int partition, long since, long earliest) {
        return new TruncationNotice(null, partition, -1, since, earliest);
    }

    /** The same notice about the topic of {@code origin} ({@code null}: this region's own). */
    public TruncationNotice from(String region) {
        return new TruncationNotice(region, partition, requested, since, earliest);
    }

    @Override
    public byte[] json() {
        String asked = requested >= 0 ? "\"requested\":" + requested : "\"since\":" + since;
        String where = origin == null ? "" : "\"origin\":\"" + origin + "\",";
        return ("{\"type\":\"truncated\"," + where + "\"partition\":" + partition + "," + asked + ",\"earliest\":"
                        + earliest + "}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
