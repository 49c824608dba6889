package io.fanout.common.region;

import io.fanout.schemas.Topics;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where this instance's region sits among the others, under {@code fanout.region}.
 *
 * <p>Events published in this region are written to the events topic ({@code fanout.topic}); MirrorMaker 2 (with its
 * default replication policy) copies each other region's events topic here as {@code <alias>.<topic>}. A fan-out
 * instance reads all of them: its own region's topic and one mirror per name in {@code mirrors}.
 *
 * @param name this region's alias, as MirrorMaker 2 names it (the origin written into every cursor)
 * @param mirrors the aliases of the regions whose events are mirrored into this region's cluster
 */
@Validated
@ConfigurationProperties("fanout.region")
public record RegionProperties(
        @DefaultValue("r1") @Pattern(regexp = Topics.REGION_ALIAS)
        String name,

        @DefaultValue({}) @NotNull List<@Pattern(regexp = Topics.REGION_ALIAS) String> mirrors) {

    public RegionProperties {
        mirrors = List.copyOf(mirrors);
        if (mirrors.contains(name)) {
            throw new IllegalArgumentException("fanout.region.mirrors must not name this region (" + name + ")");
        }
    }

    /** Every origin region this instance reads, in a fixed order (its own first), with the topic that holds it. */
    public Map<String, String> topicsByOrigin(String eventsTopic) {
        Map<String, String> topics = new LinkedHashMap<>();
        topics.put(name, eventsTopic);
        for (String mirror : mirrors) {
            topics.put(mirror, Topics.mirrored(mirror, eventsTopic));
        }
        return topics;
    }
}
