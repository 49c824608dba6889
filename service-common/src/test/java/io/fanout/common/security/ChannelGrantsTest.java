package io.fanout.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelGrantsTest {

    @Test
    void shouldMatchExactNamesAndPrefixPatterns() {
        ChannelGrants grants = ChannelGrants.of(
                "u",
                Map.of(
                        ChannelGrants.PUBLISH_CLAIM, List.of("orders", "news:*"),
                        ChannelGrants.SUBSCRIBE_CLAIM, List.of("*")));
        assertThat(grants.canPublish("orders")).isTrue();
        assertThat(grants.canPublish("orders2")).isFalse();
        assertThat(grants.canPublish("news:sport")).isTrue();
        assertThat(grants.canPublish("news:")).isTrue();
        assertThat(grants.canPublish("news")).isFalse();
        assertThat(grants.canSubscribe("anything.at-all")).isTrue();
    }

    @Test
    void shouldGrantNothingForMissingOrMalformedClaims() {
        ChannelGrants grants = ChannelGrants.of(
                "u", Map.of(ChannelGrants.PUBLISH_CLAIM, 42, ChannelGrants.SUBSCRIBE_CLAIM, List.of("", 7)));
        assertThat(grants.canPublish("a")).isFalse();
        assertThat(grants.canSubscribe("a")).isFalse();
        assertThat(grants.canSubscribe("")).isFalse();
    }

    @Test
    void shouldAcceptASingleStringClaim() {
        assertThat(ChannelGrants.of("u", Map.of(ChannelGrants.PUBLISH_CLAIM, "a"))
                        .canPublish("a"))
                .isTrue();
    }

    @Test
    void shouldWordEveryRefusalOnceNamingTheChannel() {
        ChannelGrants grants = ChannelGrants.of(
                "u",
                Map.of(
                        ChannelGrants.PUBLISH_CLAIM,
                        List.of("orders"),
                        ChannelGrants.SUBSCRIBE_CLAIM,
                        List.of("news:*")));
        assertThat(grants.refusedPublish(List.of("orders"))).isNull();
        assertThat(grants.refusedPublish(List.of("billing")))
                .isEqualTo("token does not allow publishing to channel 'billing'");
        assertThat(grants.refusedPublish(List.of("orders", "billing")))
                .isEqualTo("item 1: token does not allow publishing to channel 'billing'");
        assertThat(grants.refusedSubscription(List.of("news:a", "news:b"))).isNull();
        assertThat(grants.refusedSubscription(List.of("news:a", "orders")))
                .isEqualTo("token does not allow subscribing to channel 'orders'");
    }
}
