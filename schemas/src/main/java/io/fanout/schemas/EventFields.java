package io.fanout.schemas;

/**
 * What a subscriber's frame needs of an encoded {@link io.fanout.schemas.avro.Event}, read in place by
 * {@link EventCodec#asciiFieldsOf}: the id, where the message's bytes are in the value, and the sequence number.
 *
 * @param id the event's id
 * @param messageAt where the message's bytes (ASCII, JSON text as published) start in the value
 * @param messageLength how many bytes the message takes
 * @param seq the event's number in its channel and origin, 0 when it was not sequenced (and in every value the first
 *     schema wrote)
 */
public record EventFields(String id, int messageAt, int messageLength, long seq) {}
