package io.fanout.service.replay;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * History reading, under {@code fanout.replay}.
 *
 * @param maxActive replays (each with a Kafka consumer of its own) running at once on this instance; a
 *        subscription with a cursor beyond it is refused (WebSocket close 1013, SSE 503 + Retry-After)
 * @param threads threads that run history reads, apart from the live consumer and the event loops
 * @param pollRecords records per poll of a history reader: the bound on its memory
 * @param backwardStep first step, in records, of the backward search behind {@code last=N}; it doubles
 * @param directoryUrl base URL of an ingest-service whose channel directory answers
 *        {@code /channels/{name}/recent}; empty to always search backwards
 * @param directoryTimeout how long to wait for the directory before searching backwards
 * @param maxEventsPerSecond the fastest one replay sends history (0: as fast as it can), so that replays
 *        leave CPU to live delivery on small machines
 */
@Validated
@ConfigurationProperties("fanout.replay")
public record ReplayProperties(
        @DefaultValue("32") @Min(1) int maxActive,
        @DefaultValue("2") @Min(1) int threads,
        @DefaultValue("500") @Min(1) int pollRecords,
        @DefaultValue("256") @Min(1) int backwardStep,
        @DefaultValue("") String directoryUrl,
        @DefaultValue("1s") Duration directoryTimeout,
        @DefaultValue("10000") @Min(0) int maxEventsPerSecond) {
}
