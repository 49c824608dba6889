package io.fanout.service.subscribe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OriginPartitionTest {

    @Test
    void shouldBeEqualByOriginAndPartitionWhateverTheOriginStringsInstance() {
        OriginPartition a = new OriginPartition("eu-west", 3);
        OriginPartition b = new OriginPartition(new String("eu-west".toCharArray()), 3);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.compareTo(b)).isZero();
        assertThat(a).isNotEqualTo(new OriginPartition("eu-west", 4)).isNotEqualTo(new OriginPartition("us", 3));
        assertThat(a.equals(null)).isFalse();
        assertThat(a.equals("eu-west/3")).isFalse();
    }

    @Test
    void shouldOrderByOriginThenPartition() {
        TreeSet<OriginPartition> ordered = new TreeSet<>(List.of(
                new OriginPartition("us", 0),
                new OriginPartition("eu", 10),
                new OriginPartition("eu", 2),
                new OriginPartition("ap", 7)));

        assertThat(ordered)
                .containsExactly(
                        new OriginPartition("ap", 7),
                        new OriginPartition("eu", 2),
                        new OriginPartition("eu", 10),
                        new OriginPartition("us", 0));
    }

    @Test
    void shouldRefuseAnUnnamedOrigin() {
        assertThatThrownBy(() -> new OriginPartition("", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OriginPartition(null, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
