package io.fanout.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    /** The producer's own placement (Kafka's internal class, used here only to pin ours to it). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 12, 13, 64})
    void shouldPlaceChannelsWhereKafkasDefaultPartitionerPutsTheirRecords(int partitions) {
        for (int i = 0; i < 2_000; i++) {
            String channel = "channel-" + i + (i % 7 == 0 ? ":x" : "");
            int expected = BuiltInPartitioner.partitionForKey(channel.getBytes(StandardCharsets.UTF_8), partitions);
            assertThat(Topics.partitionOf(channel, partitions)).as(channel).isEqualTo(expected);
        }
    }

    @Test
    void shouldRefuseAPartitionCountBelowOne() {
        assertThatThrownBy(() -> Topics.partitionOf("lebowski", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
