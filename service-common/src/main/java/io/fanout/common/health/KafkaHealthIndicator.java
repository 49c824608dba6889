package io.fanout.common.health;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * UP when the cluster answers and the events topic exists, DOWN otherwise. Each check asks the cluster
 * through the admin client (non-blocking futures), bounded by {@code timeout}.
 */
public final class KafkaHealthIndicator implements ReactiveHealthIndicator, AutoCloseable {

    private final Admin admin;
    private final String topic;
    private final Duration timeout;

    public KafkaHealthIndicator(Map<String, Object> adminConfig, String topic, Duration timeout) {
        this.admin = Admin.create(adminConfig);
        this.topic = topic;
        this.timeout = timeout;
    }

    @Override
    public Mono<Health> health() {
        int millis = (int) timeout.toMillis();
        Mono<String> clusterId =
                Mono.fromFuture(() -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis))
                        .clusterId()
                        .toCompletionStage()
                        .toCompletableFuture());
        Mono<TopicDescription> description = Mono.fromFuture(
                        () -> admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(millis))
                                .allTopicNames()
                                .toCompletionStage()
                                .toCompletableFuture())
                .map(topics -> topics.get(topic));
        return Mono.zip(clusterId, description)
                .map(both -> Health.up()
                        .withDetail("clusterId", both.getT1())
                        .withDetail("topic", topic)
                        .withDetail("partitions", both.getT2().partitions().size())
                        .build())
                .timeout(timeout.plusMillis(500))
                .onErrorResume(e -> Mono.just(Health.down()
                        .withDetail("topic", topic)
                        .withDetail("error", String.valueOf(e.getMessage()))
                        .build()));
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
