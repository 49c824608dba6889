package io.fanout.ingest.sequence;

import org.apache.kafka.streams.KafkaStreams;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * The {@code sequencer} health: UP while Streams is created, rebalancing or running, DOWN while stopped or after it
 * failed. While it is DOWN publishes are still acknowledged (they are in the input topic) but not delivered until a
 * sequencer numbers them.
 */
final class SequencerHealthIndicator implements ReactiveHealthIndicator {

    private final SequencerStreams streams;

    SequencerHealthIndicator(SequencerStreams streams) {
        this.streams = streams;
    }

    @Override
    public Mono<Health> health() {
        return Mono.fromSupplier(() -> {
            KafkaStreams.State state = streams.state();
            Health.Builder health = switch (state == null ? KafkaStreams.State.NOT_RUNNING : state) {
                case CREATED, REBALANCING, RUNNING -> Health.up();
                default -> Health.down();
            };
            return health.withDetail("state", state == null ? "STOPPED" : state.name())
                    .withDetail("applicationId", streams.applicationId())
                    .build();
        });
    }
}
