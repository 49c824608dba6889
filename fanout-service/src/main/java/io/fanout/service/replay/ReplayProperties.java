package io.fanout.service.replay;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Reading the log (history and catching up), under {@code fanout.replay}.
 *
 * @param threads log reader threads, each with one Kafka consumer, shared by every session that reads the log: the
 *     bound on Kafka consumers for history, whatever the number of sessions
 * @param pollRecords records per read of one session: with {@code fetchBytes} the bound on its memory
 * @param fetchBytes bytes per read ({@code fetch.max.bytes})
 * @param partitionFetchBytes bytes per partition per fetch ({@code max.partition.fetch.bytes}, at most {@code
 *     fetchBytes}): about what one read of {@code pollRecords} takes. A reader seeks for each read, and the next
 *     read is mostly another session's, so what a fetch brought beyond its read is mostly dropped; Kafka still
 *     returns a batch larger than this whole
 * @param backwardStep first step, in records, of the backward search behind {@code last=N}; it doubles
 * @param lastScanRecords records a {@code last=N} search may read before it answers what it found
 * @param lastScanTime how long a {@code last=N} search may read before it answers what it found
 * @param directoryUrl base URL of an ingest-service whose channel directory answers
 *     {@code /channels/{name}/recent}; empty to always search backwards
 * @param directoryTimeout how long to wait for the directory before searching backwards
 * @param maxEventsPerSecond the fastest one session is sent events from the log (0: as fast as it takes them), so
 *     that catching-up sessions leave CPU to live delivery on small machines
 * @param cursorScanRecords records a {@code cursor=} lookup may read forward from its event's time, per origin
 *     partition, before it gives up (closes 1013: retry)
 */
@Validated
@ConfigurationProperties("fanout.replay")
public record ReplayProperties(
        @DefaultValue("2") @Min(1) int threads,
        @DefaultValue("500") @Min(1) int pollRecords,
        @DefaultValue("4MB") DataSize fetchBytes,
        @DefaultValue("256KB") DataSize partitionFetchBytes,
        @DefaultValue("256") @Min(1) int backwardStep,
        @DefaultValue("1000000") @Min(1) long lastScanRecords,
        @DefaultValue("10s") Duration lastScanTime,
        @DefaultValue("") String directoryUrl,
        @DefaultValue("1s") Duration directoryTimeout,
        @DefaultValue("10000") @Min(0) int maxEventsPerSecond,
        @DefaultValue("100000") @Min(1) long cursorScanRecords) {}
