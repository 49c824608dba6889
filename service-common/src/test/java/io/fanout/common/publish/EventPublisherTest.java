package io.fanout.common.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
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
        EventPublisher publisher =
                new EventPublisher(producer, "events", maxQueuedSends, new SimpleMeterRegistry(), null, ackTimeout);
        toClose.add(publisher);
        toClose.add(producer::open);
        return publisher;
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
}
