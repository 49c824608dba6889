package io.fanout.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * The verified-token cache in front of the real HS256 decoder: a token is verified once and given back until its
 * {@code exp} plus the clock skew, then refused like any expired token; a refused token is never remembered; the
 * cache stays within its bound.
 */
class CachingJwtDecoderTest {

    private static final String SECRET = "test-secret-of-at-least-32-bytes-0123456789";
    private static final Duration SKEW = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MutableClock clock = new MutableClock(Instant.now());
    private final AtomicInteger verifications = new AtomicInteger();
    private final ReactiveJwtDecoder real =
            FanoutSecurityAutoConfiguration.decoder(new AuthProperties(true, SECRET, null, null, null, SKEW, null, 0));
    private final ReactiveJwtDecoder counting = token -> {
        verifications.incrementAndGet();
        return real.decode(token);
    };

    private static String token(String subject, Instant expiresAt, String secret) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .expirationTime(Date.from(expiresAt))
                .claim(ChannelGrants.PUBLISH_CLAIM, java.util.List.of("orders"))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Test
    void shouldVerifyATokenOnceAndGiveTheSameClaimsBackUntilItExpires() throws Exception {
        Instant expiresAt = Instant.now().plusSeconds(120).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String token = token("alice", expiresAt, SECRET);
        CachingJwtDecoder decoder = new CachingJwtDecoder(counting, 100, SKEW, clock);
        Jwt first = decoder.decode(token).block(WAIT);
        Jwt second = decoder.decode(token).block(WAIT);
        assertThat(first.getSubject()).isEqualTo("alice");
        assertThat(second).isSameAs(first);
        assertThat(verifications).hasValue(1);
        assertThat(second.getClaimAsStringList(ChannelGrants.PUBLISH_CLAIM)).containsExactly("orders");

        clock.now = expiresAt.plus(SKEW); // still within the skew the validator allows
        assertThat(decoder.decode(token).block(WAIT)).isSameAs(first);
        assertThat(verifications).hasValue(1);
    }

    @Test
    void shouldVerifyARememberedTokenAgainOnceItsExpiryAndTheSkewHavePassed() throws Exception {
        Instant expiresAt = Instant.now().plusSeconds(2).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String token = token("bob", expiresAt, SECRET);
        CachingJwtDecoder decoder = new CachingJwtDecoder(counting, 100, SKEW, clock);
        decoder.decode(token).block(WAIT);
        clock.now = expiresAt.plus(SKEW).plusMillis(1);
        // not given back: verified again by the real decoder, which (on the real clock) still accepts it, so the
        // cache holds what the real decoder says, no longer than its exp allows
        decoder.decode(token).block(WAIT);
        assertThat(verifications).hasValue(2);
    }

    @Test
    void shouldNeverRememberATokenItRefused() throws Exception {
        String forged = token("mallory", Instant.now().plusSeconds(120), "another-secret-of-at-least-32-bytes-xyz");
        String expired = token("carol", Instant.now().minusSeconds(120), SECRET);
        CachingJwtDecoder decoder = new CachingJwtDecoder(counting, 100, SKEW, clock);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> decoder.decode(forged).block(WAIT)).isInstanceOf(JwtException.class);
            assertThatThrownBy(() -> decoder.decode(expired).block(WAIT))
                    .isInstanceOf(JwtException.class)
                    .satisfies(e ->
                            assertThat(TokenVerifier.reason((JwtException) e)).isEqualTo("token expired"));
        }
        assertThat(verifications).hasValue(4);
        assertThat(decoder.size()).isZero();
    }

    @Test
    void shouldStayWithinItsBound() throws Exception {
        CachingJwtDecoder decoder = new CachingJwtDecoder(counting, 3, SKEW, clock);
        for (int i = 0; i < 10; i++) {
            decoder.decode(token("user-" + i, Instant.now().plusSeconds(120), SECRET))
                    .block(WAIT);
            assertThat(decoder.size()).isBetween(1, 3);
        }
    }

    @Test
    void shouldBeTheDecoderOfTheServicesUnlessTurnedOff() {
        assertThat(FanoutSecurityAutoConfiguration.decoder(
                        new AuthProperties(true, SECRET, null, null, null, SKEW, null, 10_000)))
                .isInstanceOf(CachingJwtDecoder.class);
        assertThat(real).isNotInstanceOf(CachingJwtDecoder.class);
    }

    private static final class MutableClock extends Clock {

        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
