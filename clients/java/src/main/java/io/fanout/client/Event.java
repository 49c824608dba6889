package io.fanout.client;

import tools.jackson.databind.JsonNode;

/**
 * One event as fan-out sent it: the channel, its Kafka position ({@code partition}, {@code offset}), the publish
 * time (epoch milliseconds), the event's unique {@code id} and the published JSON {@code message}.
 */
public record Event(String channel, int partition, long offset, long timestamp, String id, JsonNode message) {}
