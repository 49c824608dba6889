package io.fanout.ingest.directory;

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
 * Settings of the channel directory, under {@code fanout.directory}. Connection settings (bootstrap
 * servers, security) come from {@code spring.kafka.*}; any other Kafka Streams setting can be given under
 * {@code spring.kafka.streams.properties.*} (the values here win where both name the same thing).
 *
 * @param enabled run the topology and serve {@code /channels}
 * @param applicationId Streams {@code application.id}: instances with the same id split the partitions
 *        (and the state) between them; it also prefixes the changelog topics and names the consumer group
 * @param stateDir where RocksDB keeps the state; default
 *        {@code ${java.io.tmpdir}/fanout-directory/<applicationId>-<host>-<port>}, so two instances on one
 *        machine never share it
 * @param recentOffsets how many of each channel's most recent offsets the index keeps
 * @param replicationFactor replication of the changelog and repartition topics; 1 for a single broker
 *        (run-local, tests), 3 in production; -1 takes the broker's {@code default.replication.factor}
 * @param streamThreads Streams {@code num.stream.threads}
 * @param advertisedHost the host other instances reach this one on (Streams {@code application.server})
 * @param advertisedPort the port for {@code application.server}; 0 takes this server's HTTP port
 * @param forwardTimeout how long a request forwarded to the instance that owns a channel may take
 * @param retryAfter the {@code Retry-After} of a 503 while the directory is starting or rebalancing
 * @param closeTimeout how long closing Streams may take on shutdown
 */
@Validated
@ConfigurationProperties("fanout.directory")
record DirectoryProperties(
        @DefaultValue("true") boolean enabled,

        @DefaultValue("fanout-directory") @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]+")
        String applicationId,

        String stateDir,
        @DefaultValue("1000") @Min(1) @Max(100_000) int recentOffsets,
        @DefaultValue("-1") @Min(-1) @Max(Short.MAX_VALUE) int replicationFactor,
        @DefaultValue("1") @Min(1) @Max(64) int streamThreads,
        @DefaultValue("localhost") @NotBlank String advertisedHost,
        @DefaultValue("0") @Min(0) @Max(65535) int advertisedPort,
        @DefaultValue("2s") @NotNull Duration forwardTimeout,
        @DefaultValue("1s") @NotNull Duration retryAfter,
        @DefaultValue("10s") @NotNull Duration closeTimeout) {}
