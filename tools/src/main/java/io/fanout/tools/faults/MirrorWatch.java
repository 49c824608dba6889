package io.fanout.tools.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic of another region's cluster (the mirror MirrorMaker 2 writes, e.g. {@code r1.fanout.events}) from
 * its end, on its own thread, and notes when each numbered message first became readable there. The message
 * number is found in the Avro value's JSON text ({@code "n":N}); nothing else is decoded.
 */
final class MirrorWatch implements AutoCloseable {

    private static final Pattern N = Pattern.compile("\"n\":(-?\\d+)");

    /** Message number → when (nanoTime) it was first read from the mirror. */
    final Map<Long, Long> arrivedAt = new ConcurrentHashMap<>();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    MirrorWatch(String bootstrap, String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
        if (partitions.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("no topic " + topic + " on " + bootstrap);
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now: only what is published from here on counts
        thread = new Thread(this::run, "mirror-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    long now = System.nanoTime();
                    if (record.value() == null) {
                        continue;
                    }
                    Matcher n = N.matcher(new String(record.value(), StandardCharsets.ISO_8859_1));
                    if (n.find()) {
                        arrivedAt.putIfAbsent(Long.parseLong(n.group(1)), now);
                    }
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the poll up
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5000);
    }
}
