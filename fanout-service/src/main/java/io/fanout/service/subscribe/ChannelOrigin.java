package io.fanout.service.subscribe;

/**
 * A channel's events published in one origin region: what a {@code seq} numbers (1, 2, 3, … with no gap).
 *
 * @param origin the region alias
 */
public record ChannelOrigin(String channel, String origin) {}
