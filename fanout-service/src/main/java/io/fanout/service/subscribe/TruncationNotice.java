package io.fanout.service.subscribe;

import java.nio.charset.StandardCharsets;

/**
 * Sent before the history of a partition when the cursor asked for events Kafka no longer keeps:
 * {@code {"type":"truncated","partition":3,"requested":100,"earliest":250}}. Events follow from
 * {@code earliest}; nothing between is silently skipped.
 */
public record TruncationNotice(int partition, long requested, long earliest) implements Frame {

    @Override
    public byte[] json() {
        return ("{\"type\":\"truncated\",\"partition\":" + partition + ",\"requested\":" + requested
                + ",\"earliest\":" + earliest + "}").getBytes(StandardCharsets.UTF_8);
    }
}
