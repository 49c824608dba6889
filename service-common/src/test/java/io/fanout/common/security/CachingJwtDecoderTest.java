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
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/** With the real Nimbus HS256 decoder underneath, counting how often it is asked. */
class CachingJwtDecoderTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    private final Instant start = Instant.now();
    private final MutableClock clock = new MutableClock(start);
    private final JwtTimestampValidator validator = timestamps(clock);
    private final AtomicInteger verified = new AtomicInteger();
    private final CachingJwtDecoder decoder = new CachingJwtDecoder(counting(), validator, 100, Duration.ZERO);

    private static JwtTimestampValidator timestamps(Clock clock) {
        JwtTimestampValidator validator = new JwtTimestampValidator(Duration.ZERO);
        validator.setClock(clock);
        return validator;
    }

    private ReactiveJwtDecoder counting() {
        NimbusReactiveJwtDecoder nimbus = NimbusReactiveJwtDecoder.withSecretKey(
                        new SecretKeySpec(SECRET, "HmacSHA256"))
                .macAlgorithm(MacAlgorithm.HS256)
                .build();
        nimbus.setJwtValidator(validator);
        return token -> {
            verified.incrementAndGet();
            return nimbus.decode(token);
        };
    }

    private static String token(byte[] secret, Instant expiresAt, String subscribe) throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder()
                        .subject("client")
                        .expirationTime(Date.from(expiresAt))
                        .claim("subscribe", List.of(subscribe))
                        .build());
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    @Test
    void shouldCheckTheSignatureOfATokenOnceAndServeLaterUsesFromTheCache() throws Exception {
        String token = token(SECRET, start.plusSeconds(600), "orders");

        Jwt first = decoder.decode(token).block();
        Jwt second = decoder.decode(token).block();
        Jwt third = decoder.decode(token).block();

        assertThat(verified).hasValue(1);
        assertThat(second).isSameAs(first);
        assertThat(third.getClaimAsStringList("subscribe")).containsExactly("orders");
        assertThat(decoder.size()).isEqualTo(1);
    }

    @Test
    void shouldRefuseACachedTokenOnceItHasExpired() throws Exception {
        String token = token(SECRET, start.plusSeconds(60), "orders");
        assertThat(decoder.decode(token).block()).isNotNull();

        clock.now = start.plusSeconds(61);

        assertThatThrownBy(() -> decoder.decode(token).block())
                .isInstanceOf(JwtValidationException.class)
                .hasMessageContaining("expired");
        assertThat(verified).as("refused from the cache, not verified again").hasValue(1);
    }

    @Test
    void shouldNotCacheATokenWhoseSignatureIsWrong() throws Exception {
        String forged =
                token("another-secret-another-secret-xx".getBytes(StandardCharsets.UTF_8), start.plusSeconds(600), "*");

        for (int i = 0; i < 3; i++) {
            Mono<Jwt> decoded = decoder.decode(forged);
            assertThatThrownBy(decoded::block).hasRootCauseMessage("Signed JWT rejected: Invalid signature");
        }
        assertThat(verified).as("every attempt verified").hasValue(3);
        assertThat(decoder.size()).isZero();
    }

    @Test
    void shouldKeepDistinctTokensApart() throws Exception {
        String orders = token(SECRET, start.plusSeconds(600), "orders");
        String news = token(SECRET, start.plusSeconds(600), "news");

        assertThat(decoder.decode(orders).block().getClaimAsStringList("subscribe"))
                .containsExactly("orders");
        assertThat(decoder.decode(news).block().getClaimAsStringList("subscribe"))
                .containsExactly("news");
        assertThat(decoder.decode(orders).block().getClaimAsStringList("subscribe"))
                .containsExactly("orders");
        assertThat(verified).hasValue(2);
    }

    /** A clock the test moves. */
    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
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
