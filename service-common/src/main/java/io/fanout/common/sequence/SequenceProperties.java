package io.fanout.common.sequence;

import io.fanout.schemas.Topics;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Per-channel sequence numbers, under {@code fanout.sequence}; set the same in every service of a region.
 *
 * <p>Off (the default): publishers write to the events topic ({@code fanout.topic}) and events carry {@code seq} 0.
 * On: publishers (ingest's {@code POST /push} and fan-out's socket publishes alike) write to {@code inputTopic}, and
 * ingest-service's sequencer (a Kafka Streams application with exactly-once) numbers each channel's events 1, 2, 3, …
 * and writes them to the events topic. Fan-out reads the events topic the same way in both modes.
 *
 * @param enabled write publishes to {@code inputTopic} for the sequencer instead of straight to the events topic
 * @param inputTopic the sequencer's input: same key, value and partition count as the events topic
 */
@Validated
@ConfigurationProperties("fanout.sequence")
public record SequenceProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue(Topics.DEFAULT_INGEST) @NotBlank String inputTopic) {

    /**
     * The isolation level readers of the events topic use: {@code read_committed} when sequencing (the sequencer
     * writes it in transactions: nothing it aborted or has not committed yet may be read), else the consumer default
     * {@code read_uncommitted} (no transactions write the topic then, and a committed read costs every fetch more).
     */
    public String eventsIsolationLevel() {
        return enabled ? "read_committed" : "read_uncommitted";
    }

    /** The topic publishers write to: {@code inputTopic} when sequencing, else {@code eventsTopic}. */
    public String publishTopic(String eventsTopic) {
        return enabled ? inputTopic : eventsTopic;
    }
}
