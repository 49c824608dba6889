package io.fanout.ingest.warmup;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * The producer behind the warm-up's publisher when no warm-up topic is set, or it could not be created ({@link
 * RehearsalSink}): it writes nothing anywhere. Each record is "acknowledged" on this producer's own thread, as Kafka's
 * producer answers on its I/O thread, with the next offset of partition 0, so the publish path after {@code send}
 * (the callback, the ack, the answer handed back to the connection's event loop) runs as it does for real.
 */
final class RehearsalProducer implements Producer<String, byte[]> {

    /** One thread, as Kafka's producer has; it ends after 10 s without work and starts again for the next record. */
    private final ThreadPoolExecutor ioThread =
            new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "warmup-rehearsal-producer");
                t.setDaemon(true);
                return t;
            });

    private final AtomicLong nextOffset = new AtomicLong();

    RehearsalProducer() {
        ioThread.allowCoreThreadTimeOut(true);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        ioThread.execute(() -> {
            RecordMetadata metadata = new RecordMetadata(
                    new TopicPartition(record.topic(), 0),
                    nextOffset.getAndIncrement(),
                    0,
                    record.timestamp() == null ? System.currentTimeMillis() : record.timestamp(),
                    record.key() == null ? -1 : record.key().length(),
                    record.value() == null ? -1 : record.value().length);
            if (callback != null) {
                callback.onCompletion(metadata, null);
            }
            acked.complete(metadata);
        });
        return acked;
    }

    @Override
    public void flush() {}

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return List.of();
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return Map.of();
    }

    @Override
    public void close() {
        ioThread.shutdown();
    }

    @Override
    public void close(Duration timeout) {
        close();
    }

    @Override
    public void initTransactions() {
        throw new UnsupportedOperationException("the rehearsal producer has no transactions");
    }

    @Override
    public void beginTransaction() {
        throw new UnsupportedOperationException("the rehearsal producer has no transactions");
    }

    @Override
    public void sendOffsetsToTransaction(
            Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
        throw new UnsupportedOperationException("the rehearsal producer has no transactions");
    }

    @Override
    public void commitTransaction() {
        throw new UnsupportedOperationException("the rehearsal producer has no transactions");
    }

    @Override
    public void abortTransaction() {
        throw new UnsupportedOperationException("the rehearsal producer has no transactions");
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {}

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {}

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        throw new UnsupportedOperationException("the rehearsal producer has no client instance id");
    }
}
