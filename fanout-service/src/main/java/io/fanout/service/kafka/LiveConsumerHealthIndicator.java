package io.fanout.service.kafka;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * UP while the live consumer thread runs and follows the topics' partitions; the details name the mirror topics it
 * waits for ({@code waitingFor}: another region's events not mirrored here yet), which do not make it DOWN.
 */
@Component("consumer")
class LiveConsumerHealthIndicator implements HealthIndicator {

    private final LiveConsumer consumer;

    LiveConsumerHealthIndicator(LiveConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public Health health() {
        Health.Builder health =
                consumer.isConsuming() ? Health.up() : Health.down().withDetail("reason", "not consuming");
        if (!consumer.missingTopics().isEmpty()) {
            health.withDetail("waitingFor", consumer.missingTopics());
        }
        return health.build();
    }
}
