package io.fanout.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.common.FanoutProperties;
import io.fanout.common.region.RegionProperties;
import io.fanout.common.sequence.SequenceProperties;
import io.fanout.schemas.EventCodec;
import io.fanout.schemas.avro.Event;
import io.fanout.service.subscribe.Dispatcher;
import io.fanout.service.subscribe.EventFrame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The delivery loop of the live consumer survives what one record's delivery throws, Errors included. */
class LiveConsumerTest {

    @Test
    void shouldDeliverTheRestOfAPollWhenDeliveringOneRecordThrowsAnError() {
        List<Long> delivered = new ArrayList<>();
        List<String> woken = new ArrayList<>();
        Dispatcher dispatcher = new Dispatcher(new SimpleMeterRegistry()) {
            @Override
            public boolean hasSubscribers(String channel) {
                return true;
            }

            @Override
            public void dispatch(EventFrame frame) {
                if (frame.offset() == 1) {
                    throw new OutOfMemoryError("Cannot reserve 1048576 bytes of direct buffer memory");
                }
                if (frame.offset() == 2) {
                    throw new IllegalStateException("one session failed");
                }
                delivered.add(frame.offset());
            }

            @Override
            public void wakeSubscribers() {
                woken.add("woken");
            }
        };
        LiveConsumer consumer = new LiveConsumer(
                null,
                dispatcher,
                new FanoutProperties("t", Duration.ofSeconds(2)),
                new RegionProperties("r1", List.of()),
                new SequenceProperties(false, "t.ingest"),
                new SimpleMeterRegistry());
        TopicPartition partition = new TopicPartition("t", 0);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        for (long offset = 0; offset < 5; offset++) {
            records.add(new ConsumerRecord<>(
                    "t",
                    0,
                    offset,
                    "c",
                    EventCodec.encode(
                            new Event("id-" + offset, "c", Long.toString(offset), java.time.Instant.EPOCH, 0L))));
        }
        records.add(new ConsumerRecord<>("t", 0, 5, null, new byte[] {1, 2, 3})); // key-less, not an Event

        consumer.deliver(new ConsumerRecords<>(Map.of(partition, records), Map.of()));

        assertThat(delivered).containsExactly(0L, 3L, 4L);
        assertThat(woken).hasSize(1);
    }
}
