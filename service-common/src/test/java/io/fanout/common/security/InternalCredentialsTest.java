package io.fanout.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;

class InternalCredentialsTest {

    private static final String SECRET = "test-secret-of-at-least-32-bytes-0123456789";

    private static AuthProperties auth(
            boolean enabled, String secret, String internalToken, String issuer, String audience) {
        return new AuthProperties(
                enabled, secret, null, issuer, audience, Duration.ofSeconds(30), internalToken, 10_000);
    }

    @Test
    void shouldSendNothingWhileAuthIsOff() {
        InternalCredentials credentials = new InternalCredentials(auth(false, SECRET, null, null, null));
        assertThat(credentials.available()).isFalse();
        assertThat(credentials.token()).isNull();
    }

    @Test
    void shouldSignATokenTheServicesAcceptThatMayReadEveryChannelAndPublishNone() {
        AuthProperties auth = auth(true, SECRET, null, "https://login.example.com", "fanout");
        String token = new InternalCredentials(auth).token();
        Jwt jwt = FanoutSecurityAutoConfiguration.decoder(auth).decode(token).block(Duration.ofSeconds(10));
        assertThat(jwt.getSubject()).isEqualTo("fanout-internal");
        assertThat(jwt.getClaimAsBoolean(InternalCredentials.INTERNAL_CLAIM)).isTrue();
        ChannelGrants grants = ChannelGrants.of(jwt);
        assertThat(grants.canSubscribe("any.channel")).isTrue();
        assertThat(grants.canPublish("any.channel")).isFalse();
    }

    @Test
    void shouldRenewTheTokenHalfwayThroughItsLife() {
        AuthProperties auth = auth(true, SECRET, null, null, null);
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        InternalCredentials credentials = new InternalCredentials(auth, clock);
        String first = credentials.token();
        clock.now = clock.now.plus(InternalCredentials.TTL.dividedBy(2).minusSeconds(1));
        assertThat(credentials.token()).isEqualTo(first);
        clock.now = clock.now.plusSeconds(2);
        assertThat(credentials.token()).isNotEqualTo(first);
    }

    @Test
    void shouldPreferTheConfiguredInternalToken() {
        InternalCredentials credentials = new InternalCredentials(auth(true, null, "configured.jwt.value", null, null));
        assertThat(credentials.available()).isTrue();
        assertThat(credentials.token()).isEqualTo("configured.jwt.value");
        assertThat(new InternalCredentials(auth(true, null, null, null, null)).available())
                .isFalse();
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
