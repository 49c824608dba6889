package io.fanout.common.publish;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.NoArgGenerator;
import io.fanout.common.error.FanoutException;
import io.fanout.schemas.EventCodec;
import io.fanout.schemas.avro.Event;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The one way an event gets into Kafka, for HTTP and WebSocket publishes alike. Each request becomes an
 * Avro {@link Event} keyed by its channel; the returned {@link Mono} completes with the ack only after
 * Kafka acknowledged the record (the producer runs with {@code acks=all} and idempotence).
 *
 * <p>{@code Producer.send} can block (metadata, full buffer) for up to {@code max.block.ms}, so it runs on the
 * caller's thread (an event loop) only while {@link NonBlockingSends} rules that out: Kafka acknowledged a record
 * within the last {@link #RECENT_ACK} and the producer's buffer has room. Otherwise, and for every batch, sends are
 * handed to a small bounded pool whose queue is the limit on publishes waiting for Kafka; beyond it a publish fails at
 * once with {@link PublisherOverloadedException}. Records of one call are sent in order, so a batch keeps its order
 * within each channel.
 *
 * <p>Every publish is answered within {@code ackTimeout} of being requested (the producer's
 * {@code delivery.timeout.ms}), whatever happens to Kafka. A send on the caller's thread needs no timer of its own:
 * it does not block, and Kafka's producer calls back within {@code delivery.timeout.ms} of {@code send} returning
 * (in the one race {@link NonBlockingSends} leaves, a send that does block holds it {@code max.block.ms} more at most).
 * A send on a send thread gets a timer ({@code ackTimeout}): while the broker is gone the producer loses the topic's
 * metadata and each {@code send} blocks for {@code max.block.ms} on one of the two send threads, so without this
 * bound the publishes queued behind them would wait minutes instead of getting a prompt 503. A publish still queued
 * when its time is up is never handed to the producer, and neither is the rest of a batch once it was answered
 * with an error.
 *
 * <p>A 503 is "not acknowledged", not "not written": a record handed to the producer may still land after its
 * answer. For a publish with an idempotency key the {@link IdempotencyStore} therefore learns what Kafka finally did
 * (the ack, the producer's error, or that it was never handed over), so a retry is never written twice.
 */
public final class EventPublisher implements AutoCloseable {

    /**
     * Event ids: UUIDs of version 7 (RFC 9562), the publish time in milliseconds and then random bits drawn once a
     * millisecond and counted up within it, so ids from one instance sort in publish order and an id costs no
     * {@code SecureRandom} draw of its own ({@code UUID.randomUUID} took a fifth of a batch's send thread).
     */
    private static final NoArgGenerator IDS = Generators.timeBasedEpochGenerator();

    /** How recent Kafka's last ack must be for a send on the caller's thread. */
    static final Duration RECENT_ACK = Duration.ofMillis(100);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final Scheduler sendScheduler;
    private final NonBlockingSends nonBlocking;
    private final Counter sentOnCaller;
    private final Counter sentOnSendThread;
    private final Counter published;
    private final Counter failed;
    private final IdempotencyStore idempotency;
    private final Duration ackTimeout;

    /** Kafka's default {@code delivery.timeout.ms}. */
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofMinutes(2);

    /**
     * @param idempotency remembers idempotency keys; {@code null}: keys are written but not deduplicated
     * @param ackTimeout longest a publish waits for Kafka's ack, queueing included, before it fails with
     *     {@link KafkaUnavailableException} (use the producer's {@code delivery.timeout.ms})
     * @param buffer the producer's {@code batch.size} and {@code buffer.memory}
     */
    public EventPublisher(
            Producer<String, byte[]> producer,
            String topic,
            int maxQueuedSends,
            MeterRegistry meters,
            IdempotencyStore idempotency,
            Duration ackTimeout,
            ProducerBuffer buffer) {
        this(
                producer,
                topic,
                maxQueuedSends,
                meters,
                idempotency,
                ackTimeout,
                new NonBlockingSends(RECENT_ACK, buffer.batchSize(), buffer.bufferMemory(), System::nanoTime));
    }

    EventPublisher(
            Producer<String, byte[]> producer,
            String topic,
            int maxQueuedSends,
            MeterRegistry meters,
            IdempotencyStore idempotency,
            Duration ackTimeout,
            NonBlockingSends nonBlocking) {
        this.ackTimeout = ackTimeout;
        this.nonBlocking = nonBlocking;
        this.producer = producer;
        this.idempotency = idempotency;
        this.topic = topic;
        this.sendScheduler = Schedulers.newBoundedElastic(2, maxQueuedSends, "kafka-send", 60, true);
        this.published = Counter.builder("fanout.publish.events")
                .description("events acknowledged by Kafka")
                .register(meters);
        this.failed = Counter.builder("fanout.publish.failures")
                .description("publishes Kafka did not acknowledge")
                .register(meters);
        this.sentOnCaller = sendsOn("caller", meters);
        this.sentOnSendThread = sendsOn("send-thread", meters);
    }

    private static Counter sendsOn(String thread, MeterRegistry meters) {
        return Counter.builder("fanout.publish.sends")
                .description("publish calls by the thread that handed their records to the producer: the caller's"
                        + " (Kafka answering, room in the buffer) or a send thread")
                .tag("thread", thread)
                .register(meters);
    }

    /**
     * Publishes one event; completes with its ack once Kafka has it. A request with an idempotency key seen within
     * the window is not written again: it gets the first publish's ack (see {@link IdempotencyStore}).
     */
    public Mono<PublishAck> publish(PublishRequest request) {
        if (request.idempotencyKey() != null && idempotency != null) {
            return idempotency.publishOnce(request, this::publishOne);
        }
        return publishOne(request, null);
    }

    /**
     * Publishes one event. The returned {@link Mono} is the client's answer (bounded by {@code ackTimeout});
     * {@code written}, when given, learns what Kafka finally did, however long after the answer that is: the ack,
     * the producer's error, or {@link NotWrittenException} when the record was never handed to the producer.
     */
    Mono<PublishAck> publishOne(PublishRequest request, CompletableFuture<PublishAck> written) {
        AtomicInteger stage = new AtomicInteger(); // 0 waiting for a send thread, 1 handed over, 2 abandoned
        Mono<PublishAck> send = Mono.create(sink -> {
            if (stage.compareAndSet(0, 1)) {
                send(request, System.currentTimeMillis(), sink, written);
            }
        });
        Mono<PublishAck> onSomeThread = Mono.defer(() -> {
            if (nonBlocking.allows(upperBoundBytes(request))) {
                sentOnCaller.increment();
                return send; // answered by the producer within delivery.timeout.ms; no timer to schedule and cancel
            }
            return timed(onSendThread(send));
        });
        return answered(onSomeThread, 1).doFinally(signal -> {
            if (stage.compareAndSet(0, 2) && written != null) {
                written.completeExceptionally(new NotWrittenException("never handed to the producer", null));
            }
        });
    }

    /** Publishes events in order; completes with their acks, in the same order, once Kafka has them all. */
    public Mono<List<PublishAck>> publishAll(List<PublishRequest> requests) {
        Mono<List<PublishAck>> send = Mono.create(sink -> sendAll(requests, sink));
        return answered(timed(Mono.defer(() -> onSendThread(send))), requests.size());
    }

    private <T> Mono<T> onSendThread(Mono<T> send) {
        sentOnSendThread.increment();
        return send.subscribeOn(sendScheduler);
    }

    /**
     * A bound on the bytes a request's record takes in the producer's buffer: its text in UTF-8 (at most three bytes
     * per char) and the envelope's other fields (id, timestamps, lengths, the idempotency key's header).
     */
    static int upperBoundBytes(PublishRequest request) {
        String key = request.idempotencyKey();
        long chars =
                (long) request.channel().length() * 2 + request.message().length() + (key == null ? 0 : key.length());
        return (int) Math.min(Integer.MAX_VALUE, chars * 3 + 256);
    }

    /**
     * Answers within {@code ackTimeout} whatever Kafka does; cancels a publish still waiting for a send thread, so
     * it is never sent after its 503.
     */
    private <T> Mono<T> timed(Mono<T> sends) {
        return sends.timeout(
                ackTimeout,
                Mono.error(() -> new KafkaUnavailableException(
                        "Kafka did not acknowledge the event within " + ackTimeout.toMillis() + " ms", null)));
    }

    /** The answer: Kafka's errors translated, and counted. */
    private <T> Mono<T> answered(Mono<T> sends, int events) {
        return sends.onErrorMap(
                        RejectedExecutionException.class,
                        e -> new PublisherOverloadedException(
                                "too many publishes are waiting for Kafka; retry shortly"))
                .onErrorMap(this::translate)
                .doOnSuccess(acks -> published.increment(events))
                .doOnError(e -> failed.increment(events));
    }

    private void send(
            PublishRequest request, long now, MonoSink<PublishAck> sink, CompletableFuture<PublishAck> written) {
        String id = newId();
        try {
            ProducerRecord<String, byte[]> record = record(request, id, now);
            int bytes = sizeOf(record);
            handOver(record, bytes, (RecordMetadata metadata, Exception error) -> {
                if (error != null) {
                    nonBlocking.failed(bytes);
                    if (written != null) {
                        written.completeExceptionally(error);
                    }
                    sink.error(error);
                } else {
                    nonBlocking.acked(bytes);
                    PublishAck ack = ack(request, id, metadata);
                    if (written != null) {
                        written.complete(ack);
                    }
                    sink.success(ack);
                }
            });
        } catch (RuntimeException e) { // the record was refused before the producer took it (closed, encoding)
            if (written != null) {
                written.completeExceptionally(new NotWrittenException("the producer refused it", e));
            }
            sink.error(e);
        }
    }

    /**
     * Sends a batch's records in order and answers once: with every ack, or with the first error. Once answered
     * with an error, or cancelled (the {@code ackTimeout} ran out, the client left), no further item is handed to
     * the producer: a client told 503 must be able to retry without the rest of the old batch arriving later.
     * Items already handed over may still be written.
     */
    private void sendAll(List<PublishRequest> requests, MonoSink<List<PublishAck>> sink) {
        if (requests.isEmpty()) {
            sink.success(List.of());
            return;
        }
        long now = System.currentTimeMillis();
        PublishAck[] acks = new PublishAck[requests.size()];
        AtomicInteger outstanding = new AtomicInteger(requests.size());
        AtomicBoolean answered = new AtomicBoolean(); // the first error, or the end of the wait, answers the batch
        sink.onCancel(() -> answered.set(true));
        for (int i = 0; i < acks.length; i++) {
            if (answered.get()) {
                return;
            }
            PublishRequest request = requests.get(i);
            String id = newId();
            int slot = i;
            try {
                ProducerRecord<String, byte[]> record = record(request, id, now);
                int bytes = sizeOf(record);
                handOver(record, bytes, (RecordMetadata metadata, Exception error) -> {
                    if (error != null) {
                        nonBlocking.failed(bytes);
                        if (answered.compareAndSet(false, true)) {
                            sink.error(error);
                        }
                        return;
                    }
                    nonBlocking.acked(bytes);
                    acks[slot] = ack(request, id, metadata);
                    if (outstanding.decrementAndGet() == 0 && answered.compareAndSet(false, true)) {
                        sink.success(List.of(acks));
                    }
                });
            } catch (RuntimeException e) {
                if (answered.compareAndSet(false, true)) {
                    sink.error(e);
                }
                return;
            }
        }
    }

    static String newId() {
        return IDS.generate().toString();
    }

    private ProducerRecord<String, byte[]> record(PublishRequest request, String id, long now) {
        Event event = new Event(id, request.channel(), request.message(), Instant.ofEpochMilli(now), 0L);
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(topic, null, now, request.channel(), EventCodec.encode(event));
        if (request.idempotencyKey() != null) {
            record.headers()
                    .add(IdempotencyKeys.HEADER, request.idempotencyKey().getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    /** {@code producer.send}, with what it holds of the producer's buffer counted until Kafka answers. */
    private void handOver(ProducerRecord<String, byte[]> record, int bytes, Callback answered) {
        nonBlocking.handedOver(bytes);
        try {
            producer.send(record, answered);
        } catch (RuntimeException refused) {
            nonBlocking.failed(bytes);
            throw refused;
        }
    }

    /** The record's key and value in bytes (headers are small beside batch.size, which each record is counted as at least). */
    private static int sizeOf(ProducerRecord<String, byte[]> record) {
        return record.key().length() * 3 + record.value().length;
    }

    private static PublishAck ack(PublishRequest request, String id, RecordMetadata metadata) {
        return new PublishAck(
                request.channel(),
                request.message(),
                id,
                metadata.partition(),
                metadata.offset(),
                metadata.timestamp());
    }

    private Throwable translate(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof FanoutException) {
            return cause;
        }
        if (cause instanceof RecordTooLargeException) {
            return new EventTooLargeException("the event is larger than Kafka accepts: " + cause.getMessage(), cause);
        }
        return new KafkaUnavailableException(
                "Kafka did not acknowledge the event in time: " + cause.getMessage(), cause);
    }

    @Override
    public void close() {
        sendScheduler.dispose();
    }
}
