package io.fanout.ingest.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.testsupport.TestKafka;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the directory costs, measured without a clock: records written to a changelog topic (read committed,
 * from the start) and CPU time of the directory's stream threads. For tests against {@link TestKafka}.
 */
final class DirectoryCosts {

    private DirectoryCosts() {}

    /** The changelog topic of {@code store} of the directory {@code applicationId}. */
    static String changelog(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
    }

    /**
     * Waits until the directory {@code applicationId} has committed its position at the end of every
     * partition of {@code topic}: with exactly-once, its changelog writes up to there are then committed too.
     */
    static void awaitCommittedToEnd(String applicationId, String topic, int partitions, Duration atMost) {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            await().atMost(atMost).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                        .partitionsToOffsetAndMetadata()
                        .get();
                admin.listOffsets(latest).all().get().forEach((tp, end) -> {
                    long position =
                            committed.get(tp) == null ? 0 : committed.get(tp).offset();
                    assertThat(position).as("committed position of %s", tp).isGreaterThanOrEqualTo(end.offset());
                });
            });
        }
    }

    /** Committed records of {@code topic} (all partitions, from the start) whose key {@code matches}. */
    static long records(String topic, Predicate<byte[]> matches) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        TestKafka.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long count = 0;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (matches.test(record.key())) {
                        count++;
                    }
                }
            }
            return count;
        }
    }

    /** A key predicate: the key starts with {@code prefix}. */
    static Predicate<byte[]> startsWith(byte[] prefix) {
        return key -> key != null
                && key.length >= prefix.length
                && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** CPU time (ns) the stream threads of the directory {@code applicationId} have used so far. */
    static long streamThreadCpuNanos(String applicationId) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null
                    && info.getThreadName().startsWith(applicationId)
                    && info.getThreadName().contains("StreamThread")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }
}
