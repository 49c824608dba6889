package io.fanout.common.publish;

/**
 * A WebSocket text frame read as a publish: the request, and whether the client sent an explicit publish
 * object ({@code {"message": ...}}), which is answered with an ack frame; a plain message is not.
 */
public record SocketPublish(PublishRequest request, boolean acknowledged) {}
