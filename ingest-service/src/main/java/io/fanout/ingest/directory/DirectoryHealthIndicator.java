package io.fanout.ingest.directory;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * The {@code directory} health: UP while Streams is created, rebalancing or running (a rebalance or a
 * restore is normal operation; queries answer 503 meanwhile), DOWN while stopped or after it failed
 * ({@code PENDING_SHUTDOWN}, {@code NOT_RUNNING}, {@code PENDING_ERROR}, {@code ERROR}). The details
 * name the state and, while running, the partitions this instance owns.
 */
final class DirectoryHealthIndicator implements ReactiveHealthIndicator {

    private final DirectoryStreams streams;

    DirectoryHealthIndicator(DirectoryStreams streams) {
        this.streams = streams;
    }

    @Override
    public Mono<Health> health() {
        return Mono.fromSupplier(this::check);
    }

    private Health check() {
        KafkaStreams.State state = streams.state();
        Health.Builder health = switch (state == null ? KafkaStreams.State.NOT_RUNNING : state) {
            case CREATED, REBALANCING, RUNNING -> Health.up();
            default -> Health.down();
        };
        health.withDetail("state", state == null ? "STOPPED" : state.name())
                .withDetail("applicationId", streams.applicationId());
        HostInfo self = streams.self();
        if (self != null) {
            health.withDetail("server", self.host() + ":" + self.port());
        }
        if (state == KafkaStreams.State.RUNNING) {
            try {
                health.withDetail("partitions", streams.localPartitions());
            } catch (DirectoryUnavailableException e) {
                // the state changed since we looked; the state detail says enough
            }
        }
        return health.build();
    }
}
