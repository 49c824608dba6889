package io.fanout.ingest.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.common.publish.EventPublisher;
import io.fanout.common.publish.ProducerBuffer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RehearsalTest {

    private final EventPublisher rehearsalPublisher = new EventPublisher(
            new RehearsalProducer(),
            "rehearsal",
            10,
            new SimpleMeterRegistry(),
            null,
            Duration.ofSeconds(30),
            ProducerBuffer.DEFAULTS);
    private final Rehearsal rehearsal = new Rehearsal();

    @AfterEach
    void close() {
        rehearsalPublisher.close();
    }

    @Test
    void shouldPublishNothingToTheRehearsalWhileNoneIsOpen() {
        assertThat(rehearsal.publisherFor(headers("anything"))).isNull();
        assertThat(rehearsal.publisherFor(new DefaultHttpHeaders())).isNull();
    }

    @Test
    void shouldTakeOnlyRequestsCarryingTheOpenRehearsalsSecret() {
        String secret = rehearsal.open(rehearsalPublisher);

        assertThat(secret).hasSize(32);
        assertThat(rehearsal.publisherFor(headers(secret))).isSameAs(rehearsalPublisher);
        assertThat(rehearsal.publisherFor(headers(secret.substring(1) + "0"))).isNull();
        assertThat(rehearsal.publisherFor(headers(""))).isNull();
        assertThat(rehearsal.publisherFor(new DefaultHttpHeaders())).isNull();
    }

    @Test
    void shouldDrawANewSecretForEachRehearsal() {
        String first = rehearsal.open(rehearsalPublisher);
        String second = rehearsal.open(rehearsalPublisher);

        assertThat(second).isNotEqualTo(first);
        assertThat(rehearsal.publisherFor(headers(first))).isNull();
        assertThat(rehearsal.publisherFor(headers(second))).isSameAs(rehearsalPublisher);
    }

    @Test
    void shouldAcknowledgeRehearsedPublishesWithoutKafka() {
        var ack = rehearsalPublisher
                .publish(new io.fanout.common.publish.PublishRequest("c", "\"m\"", null))
                .block(Duration.ofSeconds(30));

        assertThat(ack).isNotNull();
        assertThat(ack.channel()).isEqualTo("c");
        assertThat(ack.offset()).isZero();
    }

    private static HttpHeaders headers(String secret) {
        return new DefaultHttpHeaders().set(Rehearsal.HEADER, secret);
    }
}
