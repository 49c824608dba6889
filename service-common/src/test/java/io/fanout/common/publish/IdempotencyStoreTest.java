package io.fanout.common.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class IdempotencyStoreTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    /** A publish that lands at the next offset at once, counting its writes. */
    private static final class CountingPublish
            implements BiFunction<PublishRequest, CompletableFuture<PublishAck>, Mono<PublishAck>> {
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public Mono<PublishAck> apply(PublishRequest request, CompletableFuture<PublishAck> written) {
            PublishAck ack = new PublishAck(
                    request.channel(), request.message(), "id-" + writes.get(), 0, writes.getAndIncrement(), 1000L);
            written.complete(ack);
            return Mono.just(ack);
        }
    }

    private static PublishRequest keyed(String key, String message) {
        return new PublishRequest("orders", message, key);
    }

    @Test
    void shouldAnswerARetryWithTheFirstAckAndWriteOnce() {
        IdempotencyStore store = new IdempotencyStore(Duration.ofMinutes(10), 100, 1 << 20, LONG);
        CountingPublish publish = new CountingPublish();
        PublishAck first = store.publishOnce(keyed("k1", "\"a\""), publish).block(LONG);
        PublishAck retry = store.publishOnce(keyed("k1", "\"a\""), publish).block(LONG);
        assertThat(retry).isEqualTo(first);
        assertThat(publish.writes).hasValue(1);
        store.publishOnce(keyed("k2", "\"a\""), publish).block(LONG);
        assertThat(publish.writes).hasValue(2);
    }

    @Test
    void shouldRefuseAKeyReusedForAnotherMessageWith422() {
        IdempotencyStore store = new IdempotencyStore(Duration.ofMinutes(10), 100, 1 << 20, LONG);
        CountingPublish publish = new CountingPublish();
        store.publishOnce(keyed("k", "1"), publish).block(LONG);
        assertThatThrownBy(() -> store.publishOnce(keyed("k", "2"), publish).block(LONG))
                .isInstanceOf(IdempotencyKeyReusedException.class)
                .satisfies(e ->
                        assertThat(((IdempotencyKeyReusedException) e).status()).isEqualTo(422));
        assertThatThrownBy(() -> store.publishOnce(new PublishRequest("other", "1", "k"), publish)
                        .block(LONG))
                .isInstanceOf(IdempotencyKeyReusedException.class);
        assertThat(publish.writes).hasValue(1);
    }

    @Test
    void shouldKeepADigestNotTheMessageAndStayWithinItsBoundsUnderLargeKeyedPublishes() {
        long maxBytes = 128 * 1024;
        IdempotencyStore store = new IdempotencyStore(Duration.ofMinutes(10), 100_000, maxBytes, LONG);
        CountingPublish publish = new CountingPublish();
        String oneMiB = "\"" + "x".repeat(1024 * 1024 - 2) + "\"";
        for (int i = 0; i < 1_000; i++) {
            String key = "key-" + i + "-" + "k".repeat(150);
            store.publishOnce(keyed(key, oneMiB), publish).block(LONG);
            assertThat(store.estimatedBytes()).isLessThanOrEqualTo(maxBytes);
        }
        // 1,000 MiB of messages went through; what stays is a few hundred bytes per key, the newest keys
        assertThat(store.size()).isBetween(100, 999);
        assertThat(store.estimatedBytes() / store.size()).isLessThan(1_000);
        store.publishOnce(keyed("key-999-" + "k".repeat(150), oneMiB), publish).block(LONG);
        assertThat(publish.writes).hasValue(1_000); // the newest key is still known

        IdempotencyStore fewKeys = new IdempotencyStore(Duration.ofMinutes(10), 10, 1 << 30, LONG);
        for (int i = 0; i < 100; i++) {
            fewKeys.publishOnce(keyed("few-" + i, "1"), publish).block(LONG);
        }
        assertThat(fewKeys.size()).isEqualTo(10);
    }

    private EventPublisher publisher(GatedProducer producer, IdempotencyStore store, Duration ackTimeout) {
        EventPublisher publisher = new EventPublisher(
                producer, "events", 10, new SimpleMeterRegistry(), store, ackTimeout, ProducerBuffer.DEFAULTS);
        toClose.add(publisher);
        toClose.add(producer::open);
        return publisher;
    }

    @Test
    void shouldNotWriteARetryAgainWhenKafkaWritesTheFirstAttemptAfterIts503() {
        GatedProducer producer = new GatedProducer(true);
        IdempotencyStore store = new IdempotencyStore(Duration.ofMinutes(10), 100, 1 << 20, Duration.ofMillis(300));
        EventPublisher publisher = publisher(producer, store, Duration.ofSeconds(3));
        PublishRequest request = keyed("slow", "\"once\"");

        CompletableFuture<PublishAck> first = publisher.publish(request).toFuture();
        await().atMost(LONG).until(() -> producer.history().size() == 1); // handed to the producer, never acked
        await().atMost(LONG).until(first::isDone);
        assertThatThrownBy(first::join) // the first attempt's answer: 503, while the record is still in flight
                .hasCauseInstanceOf(KafkaUnavailableException.class);
        assertThatThrownBy(() -> publisher.publish(request).block(LONG))
                .isInstanceOf(PublishOutcomeUnknownException.class) // a retry while Kafka has not decided: 503
                .satisfies(e -> assertThat(((PublishOutcomeUnknownException) e).retryLater())
                        .isTrue());
        assertThat(producer.history()).hasSize(1);

        producer.completeNext(); // Kafka writes the first attempt after all
        PublishAck ack = publisher.publish(request).block(LONG);
        assertThat(ack.offset()).isEqualTo(0);
        assertThat(ack.message()).isEqualTo("\"once\"");
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void shouldWriteARetryWhenTheFirstAttemptCertainlyFailed() {
        GatedProducer producer = new GatedProducer(true);
        IdempotencyStore store = new IdempotencyStore(Duration.ofMinutes(10), 100, 1 << 20, LONG);
        EventPublisher publisher = publisher(producer, store, LONG);
        PublishRequest request = keyed("refused", "1");
        CompletableFuture<PublishAck> first = publisher.publish(request).toFuture();
        await().atMost(LONG).until(() -> producer.history().size() == 1);
        producer.errorNext(new RecordTooLargeException("refused outright"));
        assertThatThrownBy(first::join).hasCauseInstanceOf(EventTooLargeException.class);

        CompletableFuture<PublishAck> retry = publisher.publish(request).toFuture();
        await().atMost(LONG).until(() -> producer.history().size() == 2);
        producer.completeNext();
        assertThat(retry.join().offset()).isEqualTo(producer.history().size() - 1); // the retry's own write
    }

    @Test
    void shouldWriteARetryAfterARetriableFailureWhenTheLogDoesNotHoldIt() {
        GatedProducer producer = new GatedProducer(true);
        IdempotencyStore store = new IdempotencyStore(Duration.ofMinutes(10), 100, 1 << 20, LONG);
        EventPublisher publisher = publisher(producer, store, LONG);
        PublishRequest request = keyed("retriable", "1");
        CompletableFuture<PublishAck> first = publisher.publish(request).toFuture();
        await().atMost(LONG).until(() -> producer.history().size() == 1);
        producer.errorNext(new NetworkException("connection lost"));
        assertThatThrownBy(first::join).hasCauseInstanceOf(KafkaUnavailableException.class);

        CompletableFuture<PublishAck> retry = publisher.publish(request).toFuture();
        await().atMost(LONG).until(() -> producer.history().size() == 2);
        producer.completeNext();
        assertThat(retry.join()).isNotNull();
    }

    @Test
    void shouldLetConcurrentDuplicatesWaitForTheFirstWrite() {
        GatedProducer producer = new GatedProducer(true);
        IdempotencyStore store = new IdempotencyStore(Duration.ofMinutes(10), 100, 1 << 20, LONG);
        EventPublisher publisher = publisher(producer, store, LONG);
        PublishRequest request = keyed("dup", "1");
        List<CompletableFuture<PublishAck>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(publisher.publish(request).toFuture());
        }
        await().atMost(LONG).until(() -> producer.history().size() == 1);
        producer.completeNext();
        assertThat(all).allSatisfy(ack -> assertThat(ack.join().offset()).isEqualTo(0));
        assertThat(producer.history()).hasSize(1);
    }
}
