package io.fanout.service.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The bound of a subscription's buffer, and the references of the shared frame bytes it holds. */
class SubscriptionTest {

    private static final ByteBufAllocator ALLOCATOR = UnpooledByteBufAllocator.DEFAULT;

    private final List<LiveFrame> made = new ArrayList<>();

    @Test
    void shouldTakeABurstLargerThanItsCapacityWhileItsDrainKeepsUp() {
        Subscription subscription = new Subscription(List.of("c"), 4);
        subscription.drainWith(() -> { }); // a drain is attached and not stalled
        for (int i = 0; i < 20; i++) {
            assertThat(subscription.offer(frame(i))).as("frame %d", i).isTrue();
        }
        assertThat(subscription.ended()).isFalse();
        for (int i = 0; i < 20; i++) {
            LiveFrame taken = subscription.poll();
            assertThat(taken.frame().offset()).isEqualTo(i);
            taken.release();
        }
        assertThat(subscription.poll()).isNull();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldOverflowOnceItsCapacityIsPassedWhileStalled() {
        Subscription subscription = new Subscription(List.of("c"), 4);
        subscription.drainWith(() -> { });
        subscription.stalled(true); // the client takes no more
        for (int i = 0; i < 4; i++) {
            assertThat(subscription.offer(frame(i))).isTrue();
        }
        assertThat(subscription.offer(frame(4))).isFalse();
        assertThat(subscription.ended()).isTrue();
        assertThat(subscription.poll()).as("what it held is dropped").isNull();
        assertThat(subscription.offer(frame(5))).isFalse();
        StepVerifier.create(subscription.overflow()).expectNextCount(1).expectComplete().verify(Duration.ofSeconds(1));
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldCountAsStalledUntilADrainIsAttached() {
        Subscription subscription = new Subscription(List.of("c"), 2); // e.g. while its history is being sent
        assertThat(subscription.offer(frame(0))).isTrue();
        assertThat(subscription.offer(frame(1))).isTrue();
        assertThat(subscription.offer(frame(2))).isFalse();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldOverflowAtEightTimesItsCapacityEvenWhenNotStalled() {
        Subscription subscription = new Subscription(List.of("c"), 2);
        subscription.drainWith(() -> { });
        for (int i = 0; i < 2 * Subscription.HARD_LIMIT_FACTOR; i++) {
            assertThat(subscription.offer(frame(i))).isTrue();
        }
        assertThat(subscription.offer(frame(99))).isFalse();
        assertThat(subscription.ended()).isTrue();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldReleaseWhatItHoldsWhenItEnds() {
        Subscription subscription = new Subscription(List.of("c"), 10);
        subscription.offer(frame(0));
        subscription.offer(frame(1));
        subscription.end();
        assertThat(subscription.offer(frame(2))).isFalse();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldEmitFramesOnlyAsRequested() {
        Subscription subscription = new Subscription(List.of("c"), 10);
        StepVerifier.create(subscription.frames(), 0)
                .then(() -> {
                    subscription.offer(frame(0));
                    subscription.offer(frame(1));
                    subscription.wake();
                })
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(1)
                .assertNext(frame -> assertThat(frame.offset()).isEqualTo(0))
                .thenRequest(1)
                .assertNext(frame -> assertThat(frame.offset()).isEqualTo(1))
                .thenCancel()
                .verify(Duration.ofSeconds(1));
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldEncodeAnUnmaskedTextFrame() {
        LiveFrame small = frame(7);
        byte[] json = small.frame().json();
        assertThat(small.webSocketFrame().getUnsignedByte(0)).isEqualTo((short) 0x81);
        assertThat(small.webSocketFrame().getUnsignedByte(1)).isEqualTo((short) json.length); // < 126, no mask bit
        assertThat(small.webSocketFrame().toString(2, json.length, StandardCharsets.UTF_8))
                .isEqualTo(small.frame().text());

        LiveFrame large = LiveFrame.encode(EventFrame.of("c", 0, 1, 0, "id", "\"" + "x".repeat(300) + "\""), ALLOCATOR);
        made.add(large);
        int length = large.frame().json().length;
        assertThat(large.webSocketFrame().getUnsignedByte(1)).isEqualTo((short) 126);
        assertThat(large.webSocketFrame().getUnsignedShort(2)).isEqualTo(length);
        assertThat(large.webSocketFrame().readableBytes()).isEqualTo(4 + length);
        releaseMadeAndAssertAllFreed();
    }

    /** A frame as the dispatcher makes it: one reference of its own, given up once it was offered. */
    private LiveFrame frame(long offset) {
        LiveFrame frame = LiveFrame.encode(EventFrame.of("c", 0, offset, 0, "id-" + offset, Long.toString(offset)),
                ALLOCATOR);
        made.add(frame);
        return frame;
    }

    private void releaseMadeAndAssertAllFreed() {
        for (LiveFrame frame : made) {
            frame.release(); // the dispatcher's own reference
            assertThat(frame.webSocketFrame().refCnt()).as("references left of frame %s", frame.frame().offset())
                    .isZero();
        }
    }
}
