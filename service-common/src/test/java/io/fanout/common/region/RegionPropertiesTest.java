package io.fanout.common.region;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RegionPropertiesTest {

    @Test
    void shouldReadOwnTopicFirstThenOneMirrorPerRegion() {
        RegionProperties region = new RegionProperties("r2", List.of("r1", "r3"));

        assertThat(region.topicsByOrigin("fanout.events"))
                .containsExactly(
                        java.util.Map.entry("r2", "fanout.events"),
                        java.util.Map.entry("r1", "r1.fanout.events"),
                        java.util.Map.entry("r3", "r3.fanout.events"));
    }

    @Test
    void shouldRefuseToMirrorItself() {
        assertThatThrownBy(() -> new RegionProperties("r1", List.of("r1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not name this region");
    }
}
