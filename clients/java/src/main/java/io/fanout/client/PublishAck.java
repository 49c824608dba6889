package io.fanout.client;

import tools.jackson.databind.JsonNode;

/** The ingest-service's answer to a publish, sent once Kafka acknowledged it; subscribers see the same position. */
public record PublishAck(String channel, JsonNode message, String id, int partition, long offset, long timestamp) {}
