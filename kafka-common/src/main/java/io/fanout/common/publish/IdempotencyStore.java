package io.fanout.common.publish;

import io.fanout.schemas.EventCodec;
import io.fanout.schemas.UndecodableEventException;
import io.fanout.schemas.avro.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Remembers, per idempotency key, the publish it started: while Kafka has not acked it (so that a concurrent
 * duplicate waits for the same ack instead of writing again) and for {@code window} after (so that a retry gets
 * the first ack). At most {@code maxKeys} keys, oldest forgotten first; a failed publish is forgotten at once so a
 * retry can write. Keys live in the events themselves (record header {@value IdempotencyKeys#HEADER}), so
 * {@link #rebuild} restores them after a restart by re-reading the last {@code window} of the topic.
 * Thread-safe (one lock around a small map; held only for lookups, never while publishing).
 */
public final class IdempotencyStore {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyStore.class);

    private record Entry(String channel, String message, long createdAtMillis, Mono<PublishAck> ack) {
    }

    private final long windowMillis;
    private final int maxKeys;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    public IdempotencyStore(Duration window, int maxKeys) {
        this.windowMillis = window.toMillis();
        this.maxKeys = maxKeys;
    }

    /**
     * Publishes {@code request} through {@code publish} unless its key was seen within the window; then answers with
     * the first publish's ack (waiting for it while it is in flight). Errors with
     * {@link IdempotencyKeyReusedException} when the key came with another channel or message.
     */
    public Mono<PublishAck> publishOnce(PublishRequest request, Function<PublishRequest, Mono<PublishAck>> publish) {
        String key = request.idempotencyKey();
        return Mono.defer(() -> {
            Entry entry;
            synchronized (this) {
                long now = System.currentTimeMillis();
                evict(now);
                entry = entries.get(key);
                if (entry != null && now - entry.createdAtMillis() > windowMillis) {
                    entries.remove(key);
                    entry = null;
                }
                if (entry == null) {
                    entry = new Entry(request.channel(), request.message(), now, publish.apply(request).cache());
                    put(key, entry);
                }
            }
            if (!entry.channel().equals(request.channel()) || !entry.message().equals(request.message())) {
                return Mono.error(new IdempotencyKeyReusedException("idempotency key '" + key
                        + "' was used within the last " + Duration.ofMillis(windowMillis).toSeconds()
                        + " s for a different channel or message; use a new key for a new event"));
            }
            Entry used = entry;
            return used.ack().doOnError(error -> forget(key, used));
        });
    }

    /** Keys remembered now. */
    public synchronized int size() {
        return entries.size();
    }

    private synchronized void forget(String key, Entry entry) {
        entries.remove(key, entry);
    }

    private void put(String key, Entry entry) {
        entries.put(key, entry);
        while (entries.size() > maxKeys) {
            Iterator<Entry> oldest = entries.values().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    private void evict(long now) {
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().createdAtMillis() <= windowMillis) {
                return; // insertion order is creation order
            }
            it.remove();
        }
    }

    /**
     * Re-reads the last {@code window} of {@code topic} and remembers the key and ack of every keyed event found,
     * spending at most {@code timeout}. Blocking: call it at start-up, before serving. Returns the keys restored.
     */
    public int rebuild(Map<String, Object> clientConfig, String topic, Duration timeout) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "fanout-idempotency-rebuild");
        long deadline = System.nanoTime() + timeout.toNanos();
        long since = System.currentTimeMillis() - windowMillis;
        int restored = 0;
        try (Consumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return 0;
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(p, since));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, timeout);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions, timeout));
            List<TopicPartition> toRead = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = starts.get(partition);
                if (start != null && start.offset() < ends.get(partition)) {
                    toRead.add(partition);
                }
            }
            consumer.assign(toRead);
            toRead.forEach(p -> consumer.seek(p, starts.get(p).offset()));
            while (!toRead.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String key = IdempotencyKeys.read(record.headers());
                    if (key != null && remember(key, record)) {
                        restored++;
                    }
                }
                toRead.removeIf(p -> consumer.position(p) >= ends.get(p));
                consumer.assign(toRead);
            }
            if (!toRead.isEmpty()) {
                log.warn("idempotency keys: read only part of the last {} of {} within {}; retries of older keys may"
                        + " be written twice", Duration.ofMillis(windowMillis), topic, timeout);
            }
        } catch (RuntimeException e) {
            log.warn("idempotency keys: could not re-read {} ({}); retries of publishes from before this start may"
                    + " be written twice", topic, e.toString());
        }
        log.info("idempotency keys: restored {} from the last {} of {}", restored, Duration.ofMillis(windowMillis), topic);
        return restored;
    }

    private boolean remember(String key, ConsumerRecord<String, byte[]> record) {
        Event event;
        try {
            event = EventCodec.decode(record.value());
        } catch (UndecodableEventException e) {
            return false;
        }
        PublishAck ack = new PublishAck(event.getChannel(), event.getMessage(), event.getId(), record.partition(),
                record.offset(), record.timestamp());
        synchronized (this) {
            if (entries.containsKey(key)) {
                return false; // the first write of a key is the one acked
            }
            put(key, new Entry(ack.channel(), ack.message(), record.timestamp(), Mono.just(ack)));
        }
        return true;
    }
}
