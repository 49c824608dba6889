package io.fanout.service.subscribe;

import java.nio.charset.StandardCharsets;

/**
 * Sent before the events of a partition when the position asked for is older than what Kafka still keeps:
 * {@code {"type":"truncated","partition":3,"requested":100,"earliest":250}} for an offset, or
 * {@code {"type":"truncated","partition":3,"since":1732480000000,"earliest":250}} for a {@code since=} time whose
 * events may have been among the deleted records. Events follow from {@code earliest}; nothing between is silently
 * skipped.
 *
 * @param requested the offset asked for, or {@code -1} for a {@code since}
 * @param since the time asked for, or {@code -1} for an offset
 */
public record TruncationNotice(int partition, long requested, long since, long earliest) implements Frame {

    public static TruncationNotice ofOffset(int partition, long requested, long earliest) {
        return new TruncationNotice(partition, requested, -1, earliest);
    }

    public static TruncationNotice ofSince(int partition, long since, long earliest) {
        return new TruncationNotice(partition, -1, since, earliest);
    }

    @Override
    public byte[] json() {
        String asked = requested >= 0 ? "\"requested\":" + requested : "\"since\":" + since;
        return ("{\"type\":\"truncated\",\"partition\":" + partition + "," + asked + ",\"earliest\":" + earliest + "}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
