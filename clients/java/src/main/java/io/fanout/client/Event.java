package io.fanout.client;

import tools.jackson.databind.JsonNode;

/**
 * One event as fan-out sent it: the channel, its Kafka position in the serving region ({@code partition},
 * {@code offset}), the publish time (epoch milliseconds), the event's unique {@code id}, the published JSON
 * {@code message}, the region it was published in ({@code origin}) and its region-independent {@code cursor}
 * (resume right after this event on any instance of any region). {@code origin} and {@code cursor} are null from a
 * server that does not send them. {@code seq} is the event's number among its channel's events published in its
 * origin region (consecutive from 1) on a platform that numbers them, else -1.
 */
public record Event(
        String channel,
        int partition,
        long offset,
        long timestamp,
        String id,
        JsonNode message,
        String origin,
        String cursor,
        long seq) {

    /** An event without a per-channel sequence number (a platform that does not number events). */
    public Event(
            String channel,
            int partition,
            long offset,
            long timestamp,
            String id,
            JsonNode message,
            String origin,
            String cursor) {
        this(channel, partition, offset, timestamp, id, message, origin, cursor, -1);
    }

    /** An event without origin and cursor (a server from before cursors). */
    public Event(String channel, int partition, long offset, long timestamp, String id, JsonNode message) {
        this(channel, partition, offset, timestamp, id, message, null, null, -1);
    }
}
