package io.fanout.ingest.sequence;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the sequencer's Kafka Streams application, under {@code fanout.sequencer}; it runs only with
 * {@code fanout.sequence.enabled}. Connection settings come from {@code spring.kafka.*}; the values here win over
 * {@code spring.kafka.streams.properties.*} (which tune the directory for throughput, not latency).
 *
 * <p>Every event waits for a transaction commit before fan-out (a {@code read_committed} reader) sees it, so
 * {@code commitInterval} is added to the publish→deliver latency: it is small, and the commit batches what arrived
 * meanwhile. Not 0: with 0, Streams commits after every processing round and keeps each round at one record per task,
 * so the sequencer's throughput is a dozen records per commit round trip (about 3,000 events/s here, far behind 1,000
 * publishes/s arriving one at a time, measured in bench/RESULTS.md).
 *
 * @param applicationId Streams {@code application.id}: instances with the same id split the input's partitions; it
 *     also prefixes the changelog of the sequence store and names the consumer group
 * @param commitInterval Streams {@code commit.interval.ms}: how long output may wait for its transaction to commit
 * @param lingerMs the producer's {@code linger.ms} for the sequenced events
 * @param fetchMaxWait the consumer's {@code fetch.max.wait.ms} (only an idle fetch waits that long: a fetch returns as
 *     soon as one record arrives)
 * @param stateDir where RocksDB keeps the sequence store; default
 *     {@code ${java.io.tmpdir}/fanout-sequencer/<applicationId>-<server.port>}
 * @param replicationFactor replication of the changelog topic; 1 for a single broker, 3 (or -1) in production
 * @param streamThreads Streams {@code num.stream.threads}
 * @param closeTimeout how long closing Streams may take on shutdown
 */
@Validated
@ConfigurationProperties("fanout.sequencer")
record SequencerProperties(
        @DefaultValue("fanout-sequencer") @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]+")
        String applicationId,

        @DefaultValue("10ms") @NotNull Duration commitInterval,
        @DefaultValue("0") @Min(0) @Max(1000) int lingerMs,
        @DefaultValue("100ms") @NotNull Duration fetchMaxWait,
        String stateDir,
        @DefaultValue("-1") @Min(-1) @Max(Short.MAX_VALUE) int replicationFactor,
        @DefaultValue("1") @Min(1) @Max(64) int streamThreads,
        @DefaultValue("10s") @NotNull Duration closeTimeout) {}
