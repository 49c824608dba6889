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
 * <p>When the events are sequenced, each channel of the partition then gets a notice of its own right before its
 * first kept event of that origin ({@link #forChannel}): the same fields with {@code channel}, {@code origin} (always),
 * {@code firstSeq} (that event's {@code seq}) and, when the session knows the client's last {@code seq} of the channel
 * and origin (a {@code seq=} hint, or an event it sent), {@code lost}: exactly how many of the channel's events are
 * gone.
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

    /**
     * The notice for one channel, sent right before its first kept event of {@code region} ({@code origin} when the
     * notice names none):
     * {@code {"type":"truncated","channel":"C","origin":"r1","partition":3,"requested":100,"earliest":250,
     * "firstSeq":42,"lost":5}}.
     *
     * @param firstSeq the {@code seq} of that first kept event (at least 1)
     * @param lastSeq the client's last {@code seq} of the channel and origin, or {@code -1} when unknown ({@code lost}
     *     is then left out; the client computes it from its own last {@code seq} and {@code firstSeq})
     */
    public ControlFrame forChannel(String channel, String region, long firstSeq, long lastSeq) {
        String where = origin != null ? origin : region;
        String asked = requested >= 0 ? "\"requested\":" + requested : "\"since\":" + since;
        String lost = lastSeq < 0 ? "" : ",\"lost\":" + Math.max(0, firstSeq - lastSeq - 1);
        return new ControlFrame(
                "truncated",
                ("{\"type\":\"truncated\",\"channel\":\"" + channel + "\",\"origin\":\"" + where + "\",\"partition\":"
                                + partition + "," + asked + ",\"earliest\":" + earliest + ",\"firstSeq\":" + firstSeq
                                + lost + "}")
                        .getBytes(StandardCharsets.UTF_8));
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
