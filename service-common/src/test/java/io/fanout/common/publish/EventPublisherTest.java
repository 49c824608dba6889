package io.fanout.common.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventPublisherTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    private EventPublisher publisher(GatedProducer producer, int maxQueuedSends, Duration ackTimeout) {
        EventPublisher publisher = new EventPublisher(
                producer,
                "events",
                maxQueuedSends,
                new SimpleMeterRegistry(),
                null,
                ackTimeout,
                ProducerBuffer.DEFAULTS);
        toClose.add(publisher);
        toClose.add(producer::open);
        return publisher;
    }

    /** A publisher whose sends may run on the caller's thread for a minute after an ack, within {@code bufferMemory}. */
    private EventPublisher publisher(GatedProducer producer, SimpleMeterRegistry meters, long bufferMemory) {
        return publisher(producer, meters, bufferMemory, LONG);
    }

    private EventPublisher publisher(
            GatedProducer producer, SimpleMeterRegistry meters, long bufferMemory, Duration ackTimeout) {
        NonBlockingSends nonBlocking =
                new NonBlockingSends(Duration.ofMinutes(1), 16_384, bufferMemory, System::nanoTime);
        EventPublisher publisher = new EventPublisher(producer, "events", 10, meters, null, ackTimeout, nonBlocking);
        toClose.add(publisher);
        toClose.add(producer::open);
        return publisher;
    }

    private static CompletableFuture<PublishAck> publish(EventPublisher publisher, String message) {
        return publisher.publish(new PublishRequest("orders", message)).toFuture();
    }

    /** Publishes {@code message} and has Kafka acknowledge it (the publisher's first ack). */
    private static void publishAcked(GatedProducer producer, EventPublisher publisher, String message) {
        int before = producer.history().size();
        CompletableFuture<PublishAck> ack = publish(publisher, message);
        await().atMost(LONG).until(() -> producer.history().size() == before + 1);
        producer.completeNext();
        ack.join();
    }

    private static double sendsOn(SimpleMeterRegistry meters, String thread) {
        return meters.get("fanout.publish.sends")
                .tag("thread", thread)
                .counter()
                .count();
    }

    private static List<PublishRequest> batch(int size) {
        List<PublishRequest> requests = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            requests.add(new PublishRequest("orders", Integer.toString(i)));
        }
        return requests;
    }

    @Test
    void shouldAnswerWithTheAckOnceKafkaAcknowledged() {
        GatedProducer producer = new GatedProducer(true);
        CompletableFuture<PublishAck> ack = publisher(producer, 10, LONG)
                .publish(new PublishRequest("orders", "{\"a\":1}"))
                .toFuture();
        await().atMost(LONG).until(() -> producer.history().size() == 1);
        assertThat(ack).isNotDone();
        producer.completeNext();
        PublishAck done = ack.join();
        assertThat(done.channel()).isEqualTo("orders");
        assertThat(done.message()).isEqualTo("{\"a\":1}");
        assertThat(producer.history().get(0).key()).isEqualTo("orders");
    }

    @Test
    void shouldAnswer429WhenTheSendQueueIsFull() {
        GatedProducer producer = new GatedProducer(false); // both send threads block in send
        EventPublisher publisher = publisher(producer, 1, LONG);
        List<CompletableFuture<PublishAck>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(publisher
                    .publish(new PublishRequest("orders", Integer.toString(i)))
                    .toFuture());
        }
        await().atMost(LONG)
                .untilAsserted(() -> assertThat(answers)
                        .anySatisfy(answer -> assertThat(answer).isCompletedExceptionally()));
        assertThat(answers)
                .filteredOn(CompletableFuture::isCompletedExceptionally)
                .allSatisfy(answer ->
                        assertThatThrownBy(answer::join).hasCauseInstanceOf(PublisherOverloadedException.class));
        PublisherOverloadedException overloaded = (PublisherOverloadedException) answers.stream()
                .filter(CompletableFuture::isCompletedExceptionally)
                .findFirst()
                .orElseThrow()
                .handle((ack, error) -> error)
                .join();
        assertThat(overloaded.status()).isEqualTo(429);
        assertThat(overloaded.retryLater()).isTrue();
    }

    @Test
    void shouldAnswer503WhenKafkaDoesNotAcknowledgeInTime() {
        GatedProducer producer = new GatedProducer(true);
        CompletableFuture<PublishAck> ack = publisher(producer, 10, Duration.ofMillis(300))
                .publish(new PublishRequest("orders", "1"))
                .toFuture();
        await().atMost(LONG).until(ack::isDone);
        assertThatThrownBy(ack::join).hasCauseInstanceOf(KafkaUnavailableException.class);
        KafkaUnavailableException error =
                (KafkaUnavailableException) ack.handle((a, e) -> e).join();
        assertThat(error.status()).isEqualTo(503);
        assertThat(error.retryLater()).isTrue();
    }

    @Test
    void shouldAnswer413WhenKafkaRefusesTheRecordAsTooLarge() {
        GatedProducer producer = new GatedProducer(true);
        CompletableFuture<PublishAck> ack = publisher(producer, 10, LONG)
                .publish(new PublishRequest("orders", "1"))
                .toFuture();
        await().atMost(LONG).until(() -> producer.history().size() == 1);
        producer.errorNext(new RecordTooLargeException("too big"));
        assertThatThrownBy(ack::join).hasCauseInstanceOf(EventTooLargeException.class);
    }

    @Test
    void shouldAnswerABatchWithItsFirstErrorAndSendNoMoreOfIt() {
        GatedProducer producer = new GatedProducer(false);
        CompletableFuture<List<PublishAck>> acks =
                publisher(producer, 10, LONG).publishAll(batch(5)).toFuture();
        await().atMost(LONG).until(() -> producer.history().size() == 1); // item 0 taken, its send still blocking
        producer.errorNext(new NetworkException("broker gone"));
        await().atMost(LONG).until(acks::isDone);
        assertThatThrownBy(acks::join).hasCauseInstanceOf(KafkaUnavailableException.class);
        producer.open();
        await().during(Duration.ofMillis(500))
                .atMost(LONG)
                .untilAsserted(() -> assertThat(producer.history()).hasSize(1));
    }

    @Test
    void shouldSendNoMoreOfABatchOnceItsTimeIsUp() {
        GatedProducer producer = new GatedProducer(false);
        CompletableFuture<List<PublishAck>> acks = publisher(producer, 10, Duration.ofSeconds(3))
                .publishAll(batch(5))
                .toFuture();
        await().atMost(LONG).until(() -> producer.history().size() == 1); // item 0 taken, its send blocking
        await().atMost(LONG).until(acks::isDone);
        assertThatThrownBy(acks::join).hasCauseInstanceOf(KafkaUnavailableException.class);
        producer.open();
        await().during(Duration.ofMillis(500))
                .atMost(LONG)
                .untilAsserted(() -> assertThat(producer.history()).hasSize(1));
    }

    @Test
    void shouldAnswerABatchWithAllItsAcksInOrder() {
        GatedProducer producer = new GatedProducer(true);
        CompletableFuture<List<PublishAck>> acks =
                publisher(producer, 10, LONG).publishAll(batch(3)).toFuture();
        await().atMost(LONG).until(() -> producer.history().size() == 3);
        while (producer.completeNext()) {
            // complete every record
        }
        assertThat(acks.join()).extracting(PublishAck::message).containsExactly("0", "1", "2");
    }

    @Test
    void shouldGiveEachEventAVersion7IdThatSortsInPublishOrder() {
        GatedProducer producer = new GatedProducer(true);
        long before = System.currentTimeMillis();
        CompletableFuture<List<PublishAck>> acks =
                publisher(producer, 10, LONG).publishAll(batch(1000)).toFuture();
        await().atMost(LONG).until(() -> producer.history().size() == 1000);
        while (producer.completeNext()) {
            // complete every record
        }
        long after = System.currentTimeMillis();
        List<String> ids = acks.join().stream().map(PublishAck::id).toList();
        assertThat(ids).doesNotHaveDuplicates().isSorted();
        for (String id : ids) {
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2); // RFC 9562
            assertThat(uuid.getMostSignificantBits() >>> 16).isBetween(before, after); // its first 48 bits: the time
            assertThat(id).isEqualTo(uuid.toString()); // lower case, canonical
        }
    }

    @Test
    void shouldSendOnTheCallersThreadOnceKafkaHasAcknowledged() {
        GatedProducer producer = new GatedProducer(true);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        EventPublisher publisher = publisher(producer, meters, 32 * 1024 * 1024);
        publishAcked(producer, publisher, "1");

        CompletableFuture<PublishAck> second = publish(publisher, "2");
        assertThat(producer.history()).hasSize(2); // sent before publish returned
        producer.completeNext();
        assertThat(second.join().message()).isEqualTo("2");

        String caller = Thread.currentThread().getName();
        assertThat(producer.sendThreads().get(0)).startsWith("kafka-send").isNotEqualTo(caller);
        assertThat(producer.sendThreads().get(1)).isEqualTo(caller);
        assertThat(sendsOn(meters, "send-thread")).isEqualTo(1);
        assertThat(sendsOn(meters, "caller")).isEqualTo(1);
    }

    @Test
    void shouldLeaveTheDeadlineOfASendOnTheCallersThreadToTheProducer() {
        GatedProducer producer = new GatedProducer(true);
        EventPublisher publisher =
                publisher(producer, new SimpleMeterRegistry(), 32 * 1024 * 1024, Duration.ofMillis(200));
        publishAcked(producer, publisher, "1");

        CompletableFuture<PublishAck> second = publish(publisher, "2"); // on the caller's thread: no timer of its own
        await().during(Duration.ofMillis(600)).atMost(LONG).until(() -> !second.isDone());
        // what Kafka's producer does once delivery.timeout.ms (the publisher's ackTimeout in the services) has passed
        producer.errorNext(new TimeoutException("Expiring 1 record(s): 6000 ms has passed since batch creation"));

        assertThatThrownBy(second::join).hasCauseInstanceOf(KafkaUnavailableException.class);
        assertThat(producer.sendThreads().get(1))
                .isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void shouldHandSendsToASendThreadAgainOnceASendFailed() {
        GatedProducer producer = new GatedProducer(true);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        EventPublisher publisher = publisher(producer, meters, 32 * 1024 * 1024);
        publishAcked(producer, publisher, "1");
        CompletableFuture<PublishAck> second = publish(publisher, "2"); // on the caller's thread
        producer.errorNext(new NetworkException("broker gone"));
        assertThatThrownBy(second::join).hasCauseInstanceOf(KafkaUnavailableException.class);

        CompletableFuture<PublishAck> third = publish(publisher, "3");
        await().atMost(LONG).until(() -> producer.history().size() == 3);
        producer.completeNext();
        third.join();

        assertThat(producer.sendThreads().get(2)).startsWith("kafka-send");
        assertThat(sendsOn(meters, "send-thread")).isEqualTo(2);
        assertThat(sendsOn(meters, "caller")).isEqualTo(1);
    }

    @Test
    void shouldHandSendsToASendThreadWhileThoseNotYetAnsweredCouldFillTheBuffer() {
        GatedProducer producer = new GatedProducer(true);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // half of 64 KiB is room for two records counted as a 16 KiB batch each
        EventPublisher publisher = publisher(producer, meters, 64 * 1024);
        publishAcked(producer, publisher, "1");

        List<CompletableFuture<PublishAck>> pending =
                List.of(publish(publisher, "2"), publish(publisher, "3"), publish(publisher, "4"));
        await().atMost(LONG).until(() -> producer.history().size() == 4);
        while (producer.completeNext()) {
            // answer the three
        }
        pending.forEach(CompletableFuture::join);

        String caller = Thread.currentThread().getName();
        assertThat(producer.sendThreads().subList(1, 4))
                .satisfiesExactly(
                        thread -> assertThat(thread).isEqualTo(caller),
                        thread -> assertThat(thread).isEqualTo(caller),
                        thread -> assertThat(thread).startsWith("kafka-send"));
    }
}
