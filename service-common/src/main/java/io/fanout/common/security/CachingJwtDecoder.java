package io.fanout.common.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.time.Instant;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/**
 * A {@link ReactiveJwtDecoder} that checks each distinct token's signature once: a token seen before (the same
 * string, so the same signature over the same claims) is taken from a bounded cache and only validated again
 * (expiry, not-before, issuer, audience: cheap, and the time-based checks must run on every use). A publisher that
 * sends the same token with every {@code POST /push} pays the HMAC or RSA check and the JSON parse once per token
 * instead of once per request. Entries leave the cache when their token expires (plus the clock skew) or, beyond
 * {@code maximumSize}, least recently used first. Failed decodes are not cached. Thread-safe.
 */
final class CachingJwtDecoder implements ReactiveJwtDecoder {

    private final ReactiveJwtDecoder verifying;
    private final OAuth2TokenValidator<Jwt> validator;
    private final Cache<String, Jwt> verified;

    /**
     * @param verifying decodes and fully checks a token (signature and {@code validator})
     * @param validator the same validator, run again on every cached token before it is used
     */
    CachingJwtDecoder(
            ReactiveJwtDecoder verifying, OAuth2TokenValidator<Jwt> validator, int maximumSize, Duration clockSkew) {
        this.verifying = verifying;
        this.validator = validator;
        this.verified = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .expireAfter(Expiry.<String, Jwt>creating((token, jwt) -> untilExpiry(jwt, clockSkew)))
                .build();
    }

    private static Duration untilExpiry(Jwt jwt, Duration clockSkew) {
        Instant expiresAt = jwt.getExpiresAt();
        if (expiresAt == null) {
            return Duration.ZERO; // not kept: the validator requires exp anyway
        }
        Duration left = Duration.between(Instant.now(), expiresAt.plus(clockSkew));
        return left.isNegative() ? Duration.ZERO : left;
    }

    @Override
    public Mono<Jwt> decode(String token) throws JwtException {
        Jwt cached = verified.getIfPresent(token);
        if (cached == null) {
            return verifying.decode(token).doOnNext(jwt -> verified.put(token, jwt));
        }
        OAuth2TokenValidatorResult result = validator.validate(cached);
        if (result.hasErrors()) {
            verified.invalidate(token);
            // worded as the verifying decoder words it, so callers read the reason alike
            return Mono.error(new JwtValidationException(
                    "An error occurred while attempting to decode the Jwt: "
                            + result.getErrors().iterator().next().getDescription(),
                    result.getErrors()));
        }
        return Mono.just(cached);
    }

    /** How many verified tokens are kept now (for tests and metrics). */
    long size() {
        verified.cleanUp();
        return verified.estimatedSize();
    }
}
