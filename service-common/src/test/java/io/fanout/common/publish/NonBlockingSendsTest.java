package io.fanout.common.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NonBlockingSendsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final NonBlockingSends sends = new NonBlockingSends(Duration.ofMillis(100), 16_384, 1024 * 1024, now::get);

    @Test
    void shouldNotAllowASendOnTheCallersThreadBeforeAnyAck() {
        assertThat(sends.allows(100)).isFalse();
    }

    @Test
    void shouldAllowItWithinTheWindowAfterAnAckAndNotAfter() {
        sends.handedOver(100);
        sends.acked(100);
        now.addAndGet(Duration.ofMillis(99).toNanos());
        assertThat(sends.allows(100)).isTrue();
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(sends.allows(100)).isFalse();
    }

    @Test
    void shouldNotAllowItAfterAFailureUntilTheNextAck() {
        sends.handedOver(100);
        sends.acked(100);
        sends.handedOver(100);
        sends.failed(100);
        assertThat(sends.allows(100)).isFalse();
        sends.handedOver(100);
        sends.acked(100);
        assertThat(sends.allows(100)).isTrue();
    }

    @Test
    void shouldCountEachRecordAsAtLeastABatchAgainstHalfTheBuffer() {
        sends.handedOver(100);
        sends.acked(100);
        for (int i = 0; i < 31; i++) { // 31 x 16 KiB of 512 KiB
            sends.handedOver(100);
        }
        assertThat(sends.allows(100)).isTrue();
        assertThat(sends.allows(16_385)).isFalse();
        sends.handedOver(100);
        assertThat(sends.allows(1)).isFalse();
        sends.acked(100);
        assertThat(sends.allows(1)).isTrue();
    }
}
