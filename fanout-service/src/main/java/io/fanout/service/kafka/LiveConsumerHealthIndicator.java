package io.fanout.service.kafka;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** UP while the live consumer thread runs and follows the topic's partitions. */
@Component("consumer")
class LiveConsumerHealthIndicator implements HealthIndicator {

    private final LiveConsumer consumer;

    LiveConsumerHealthIndicator(LiveConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public Health health() {
        return consumer.isConsuming()
                ? Health.up().build()
                : Health.down().withDetail("reason", "not consuming").build();
    }
}
