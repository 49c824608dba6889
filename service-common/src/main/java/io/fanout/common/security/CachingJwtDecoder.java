package io.fanout.common.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/**
 * A {@link ReactiveJwtDecoder} that remembers the tokens its delegate accepted, so that a client sending the same token
 * with every request (each {@code POST /push}) costs one signature check, not one per request. A remembered token
 * is given back only while it is still within its {@code exp} plus the clock skew (the timestamp validator's rule;
 * every other check of the delegate is about the token's fixed content: signature, {@code iss}, {@code aud}, the
 * presence of {@code exp}); a refused token is never remembered, so it is refused again with the delegate's error.
 *
 * <p>Bounded: at most {@code maxEntries} tokens; when full, the expired ones are dropped, and if that is not enough
 * every remembered token is (they are verified again on their next use). Thread-safe.
 */
final class CachingJwtDecoder implements ReactiveJwtDecoder {

    private final ReactiveJwtDecoder delegate;
    private final int maxEntries;
    private final Duration clockSkew;
    private final Clock clock;
    private final ConcurrentHashMap<String, Jwt> verified = new ConcurrentHashMap<>();

    CachingJwtDecoder(ReactiveJwtDecoder delegate, int maxEntries, Duration clockSkew, Clock clock) {
        this.delegate = delegate;
        this.maxEntries = maxEntries;
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    @Override
    public Mono<Jwt> decode(String token) {
        Jwt known = verified.get(token);
        if (known != null) {
            if (valid(known, clock.instant())) {
                return Mono.just(known);
            }
            verified.remove(token, known); // expired: the delegate says so, with its own error
        }
        return delegate.decode(token).doOnNext(jwt -> remember(token, jwt));
    }

    /** How many tokens are remembered now. */
    int size() {
        return verified.size();
    }

    private void remember(String token, Jwt jwt) {
        if (jwt.getExpiresAt() == null) {
            return; // the validators refuse such tokens; never hold one past its check
        }
        if (verified.size() >= maxEntries) {
            Instant now = clock.instant();
            verified.values().removeIf(remembered -> !valid(remembered, now));
            if (verified.size() >= maxEntries) {
                verified.clear();
            }
        }
        verified.put(token, jwt);
    }

    private boolean valid(Jwt jwt, Instant now) {
        Instant expiresAt = jwt.getExpiresAt();
        return expiresAt != null && !now.isAfter(expiresAt.plus(clockSkew));
    }
}
