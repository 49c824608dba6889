package io.fanout.ingest.directory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The directory's meters:
 * <ul>
 *   <li>{@code fanout.directory.lag} (gauge, records): how far behind the end of the events topic this
 *       instance's directory runs, the consumer lag summed over the partitions it owns; NaN while stopped;</li>
 *   <li>{@code fanout.directory.skipped} (counter, tag {@code reason}): records left out;</li>
 *   <li>every Kafka Streams metric ({@code kafka.stream.*}, {@code kafka.consumer.*}, …) through Micrometer's
 *       {@link KafkaStreamsMetrics}, bound while Streams runs; among them the end-to-end latency of the
 *       source node ({@code kafka.stream.processor.node.record.e2e.latency.max}), the lag in milliseconds.</li>
 * </ul>
 * {@link #bind} and {@link #unbind} are called by the lifecycle, one at a time.
 */
final class DirectoryMetrics {

    private static final String LAG = "records-lag";
    private static final String FETCH_GROUP = "consumer-fetch-manager-metrics";

    private final MeterRegistry registry;
    private final String topic;
    private final String topicTag;
    private final Map<SkipListener.Reason, Counter> skipped = new EnumMap<>(SkipListener.Reason.class);
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics binder;

    DirectoryMetrics(MeterRegistry registry, String topic) {
        this.registry = registry;
        this.topic = topic;
        this.topicTag = topic.replace('.', '_'); // how the consumer's fetch metrics spell a topic
        Gauge.builder("fanout.directory.lag", this, DirectoryMetrics::lag)
                .description("events of the events topic the channel directory of this instance has not processed yet")
                .baseUnit("records")
                .register(registry);
        for (SkipListener.Reason reason : SkipListener.Reason.values()) {
            skipped.put(
                    reason,
                    Counter.builder("fanout.directory.skipped")
                            .description("records of the events topic the channel directory left out")
                            .tag("reason", reason.name().toLowerCase().replace('_', '-'))
                            .register(registry));
        }
    }

    void skipped(SkipListener.Reason reason) {
        skipped.get(reason).increment();
    }

    void bind(KafkaStreams kafkaStreams, String applicationId) {
        binder = new KafkaStreamsMetrics(kafkaStreams, Tags.of("directory", applicationId));
        binder.bindTo(registry);
        streams = kafkaStreams;
    }

    void unbind() {
        streams = null;
        if (binder != null) {
            binder.close();
            binder = null;
        }
    }

    /** Records behind the end of the log, summed over this instance's partitions of the events topic. */
    double lag() {
        KafkaStreams current = streams;
        if (current == null) {
            return Double.NaN;
        }
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> metric : current.metrics().entrySet()) {
            MetricName name = metric.getKey();
            if (LAG.equals(name.name())
                    && FETCH_GROUP.equals(name.group())
                    && isEventsTopic(name.tags().get("topic"))
                    && metric.getValue().metricValue() instanceof Number value
                    && !Double.isNaN(value.doubleValue())) {
                total += value.doubleValue();
            }
        }
        return total;
    }

    private boolean isEventsTopic(String tag) {
        return topic.equals(tag) || topicTag.equals(tag);
    }
}
