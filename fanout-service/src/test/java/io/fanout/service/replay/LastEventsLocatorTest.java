package io.fanout.service.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.common.security.AuthProperties;
import io.fanout.common.security.InternalCredentials;
import io.fanout.schemas.EventCodec;
import io.fanout.schemas.avro.Event;
import io.fanout.service.replay.ReplayPlanner.LocatedLast;
import io.fanout.service.replay.ReplayPlanner.PartitionOffsets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * The backward search for {@code last=N} without the directory: exact when it finds N within its bounds; otherwise
 * the newest it found, marked incomplete, never skipping a newer event; key-less records are not a channel's.
 */
class LastEventsLocatorTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final Set<Long> OURS = Set.of(10L, 500L, 950L, 990L);
    /** Records keyed like the channel whose value is not an Event: never one of its last N. */
    private static final Set<Long> FOREIGN = Set.of(700L, 995L);

    private static final byte[] EVENT = EventCodec.encode(Event.newBuilder()
            .setId("e")
            .setChannel("c")
            .setMessage("1")
            .setPublishedAt(java.time.Instant.EPOCH)
            .build());

    /** Auth off: the locator's directory calls carry no credential. */
    private static final InternalCredentials AUTH_OFF =
            new InternalCredentials(new AuthProperties(false, null, null, null, null, Duration.ofSeconds(30), null, 0));

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Counter read = registry.counter("read");

    private LastEventsLocator locator(long scanRecords) {
        ReplayProperties properties = new ReplayProperties(
                2,
                100,
                DataSize.ofMegabytes(4),
                DataSize.ofKilobytes(256),
                100,
                scanRecords,
                Duration.ofSeconds(10),
                "",
                Duration.ofSeconds(1),
                0,
                100_000);
        return new LastEventsLocator(new RecentOffsetsClient(properties, AUTH_OFF), properties, registry);
    }

    private static MockConsumer<String, byte[]> log() {
        MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
        consumer.assign(List.of(TP));
        consumer.updateBeginningOffsets(java.util.Map.of(TP, 0L));
        // a MockConsumer hands each added record out once; the log is read again at every poll
        for (int poll = 0; poll < 100; poll++) {
            consumer.schedulePollTask(() -> {
                for (long offset = 0; offset < 1000; offset++) {
                    String key =
                            OURS.contains(offset) || FOREIGN.contains(offset) ? "c" : offset % 7 == 0 ? null : "other";
                    byte[] value = FOREIGN.contains(offset) ? new byte[] {1} : EVENT; // another producer's, keyed "c"
                    consumer.addRecord(new ConsumerRecord<>("t", 0, offset, key, value));
                }
            });
        }
        return consumer;
    }

    @Test
    void shouldFindExactlyTheLastEventsOfAChannelReadingBackwards() {
        try (MockConsumer<String, byte[]> consumer = log()) {
            LocatedLast located = locator(1_000_000)
                    .locate(
                            consumer,
                            TP,
                            List.of("c"),
                            3,
                            new PartitionOffsets(0, 1000),
                            locator(1_000_000).new Budget(() -> false),
                            read);
            assertThat(located.offsets()).containsExactly(500L, 950L, 990L);
            assertThat(located.complete()).isTrue();
            assertThat(located.through()).isEqualTo(1000);
        }
    }

    @Test
    void shouldAnswerTheNewestItFoundMarkedIncompleteWhenItsRecordBoundIsReached() {
        LastEventsLocator bounded = locator(300);
        try (MockConsumer<String, byte[]> consumer = log()) {
            LocatedLast located = bounded.locate(
                    consumer,
                    TP,
                    List.of("c"),
                    4,
                    new PartitionOffsets(0, 1000),
                    bounded.new Budget(() -> false),
                    read);
            assertThat(located.complete()).isFalse();
            assertThat(located.offsets()).containsExactly(950L, 990L); // the newest, none newer left out
            assertThat(located.through()).isEqualTo(1000);
            assertThat(read.count()).isLessThanOrEqualTo(400);
        }
    }

    @Test
    void shouldStopWhenTheSessionEnded() {
        LastEventsLocator unbounded = locator(1_000_000);
        try (MockConsumer<String, byte[]> consumer = log()) {
            LocatedLast located = unbounded.locate(
                    consumer,
                    TP,
                    List.of("c"),
                    4,
                    new PartitionOffsets(0, 1000),
                    unbounded.new Budget(() -> true),
                    read);
            assertThat(located.complete()).isFalse();
            assertThat(read.count()).isZero();
        }
    }
}
