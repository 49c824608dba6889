package io.fanout.common.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.common.publish.EventTooLargeException;
import io.fanout.common.publish.IdempotencyKeyReusedException;
import io.fanout.common.publish.InvalidPublishException;
import io.fanout.common.publish.KafkaUnavailableException;
import io.fanout.common.publish.PublishOutcomeUnknownException;
import io.fanout.common.publish.PublisherOverloadedException;
import io.fanout.common.security.ChannelForbiddenException;
import io.fanout.common.security.InvalidTokenException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class FanoutExceptionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldCarryOneStatusCloseCodeAndRetryAdvicePerRefusal() {
        record Expected(FanoutException error, int status, int close, boolean retry) {}
        for (Expected expected : List.of(
                new Expected(new InvalidPublishException("x"), 400, 1008, false),
                new Expected(new InvalidTokenException("x"), 401, 1008, false),
                new Expected(new ChannelForbiddenException("x"), 403, 1008, false),
                new Expected(new EventTooLargeException("x", null), 413, 1009, false),
                new Expected(new IdempotencyKeyReusedException("x"), 422, 1008, false),
                new Expected(new PublisherOverloadedException("x"), 429, 1013, true),
                new Expected(new KafkaUnavailableException("x", null), 503, 1013, true),
                new Expected(new PublishOutcomeUnknownException("x"), 503, 1013, true))) {
            assertThat(expected.error().status()).isEqualTo(expected.status());
            assertThat(expected.error().getBody().getStatus()).isEqualTo(expected.status());
            assertThat(expected.error().closeCode()).isEqualTo(expected.close());
            assertThat(expected.error().retryLater()).isEqualTo(expected.retry());
            assertThat(expected.error().getMessage()).isEqualTo("x");
        }
        assertThat(new InvalidTokenException("x").getHeaders().getFirst("WWW-Authenticate"))
                .isEqualTo("Bearer");
    }

    @Test
    void shouldWriteErrorFramesWithTheSameStatusAndRetryAfterOnlyWhenRetryingHelps() {
        JsonNode overloaded = JSON.readTree(
                FanoutException.errorFrame(new PublisherOverloadedException("full \"q\""), Duration.ofSeconds(2)));
        assertThat(overloaded.get("type").stringValue()).isEqualTo("error");
        assertThat(overloaded.get("status").intValue()).isEqualTo(429);
        assertThat(overloaded.get("detail").stringValue()).isEqualTo("full \"q\"");
        assertThat(overloaded.get("retryAfter").intValue()).isEqualTo(2);

        JsonNode invalid =
                JSON.readTree(FanoutException.errorFrame(new InvalidPublishException("bad"), Duration.ofSeconds(2)));
        assertThat(invalid.get("status").intValue()).isEqualTo(400);
        assertThat(invalid.has("retryAfter")).isFalse();

        JsonNode unexpected =
                JSON.readTree(FanoutException.errorFrame(new IllegalStateException("boom"), Duration.ofMillis(10)));
        assertThat(unexpected.get("status").intValue()).isEqualTo(503);
        assertThat(unexpected.get("retryAfter").intValue()).isEqualTo(1);
    }
}
