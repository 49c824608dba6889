package io.fanout.common.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;

/**
 * The credential of calls between fanout's own services (fanout-service asking the channel directory for
 * {@code last=N}; an ingest instance forwarding a directory query to the instance that owns the channel). With auth
 * off it is nothing. With auth on it is, in this order:
 * <ul>
 *   <li>{@code fanout.auth.internal-token}, sent as it is (needed with RS256 keys: a service holding only the public
 *       key cannot sign; mint a long-lived token with {@value #INTERNAL_CLAIM} and {@code fanout.subscribe: ["*"]});</li>
 *   <li>otherwise a JWT this service signs with {@code fanout.auth.hmac-secret}: subject {@value #SUBJECT}, claim
 *       {@value #INTERNAL_CLAIM}{@code =true}, subscribe grant {@code *}, no publish grant, valid for {@link #TTL} and
 *       re-signed when less than half of that is left; {@code iss}/{@code aud} as configured.</li>
 * </ul>
 * The directory reads a channel only for a token that may subscribe to it, so the internal credential can read every
 * channel's directory entry and nothing more (it cannot publish). Thread-safe.
 */
public final class InternalCredentials {

    /** The claim marking a token as fanout's own service-to-service credential. */
    public static final String INTERNAL_CLAIM = "fanout.internal";

    static final String SUBJECT = "fanout-internal";
    static final Duration TTL = Duration.ofMinutes(5);

    private final boolean enabled;
    private final String fixedToken;
    private final byte[] secret;
    private final AuthProperties auth;
    private final Clock clock;
    private volatile Signed current;

    private record Signed(String token, Instant renewAt) {}

    public InternalCredentials(AuthProperties auth) {
        this(auth, Clock.systemUTC());
    }

    InternalCredentials(AuthProperties auth, Clock clock) {
        this.auth = auth;
        this.clock = clock;
        this.enabled = auth.enabled();
        this.fixedToken = blankToNull(auth.internalToken());
        String hmac = blankToNull(auth.hmacSecret());
        this.secret = hmac == null ? null : hmac.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether calls carry a credential (auth on, and a token or a secret to sign one). */
    public boolean available() {
        return enabled && (fixedToken != null || secret != null);
    }

    /** The bearer token for the next internal call, or {@code null} when there is none to send. */
    public String token() {
        if (!enabled) {
            return null;
        }
        if (fixedToken != null) {
            return fixedToken;
        }
        if (secret == null) {
            return null;
        }
        Signed signed = current;
        Instant now = clock.instant();
        if (signed == null || !now.isBefore(signed.renewAt())) {
            signed = new Signed(sign(now), now.plus(TTL.dividedBy(2)));
            current = signed;
        }
        return signed.token();
    }

    /** Adds {@code Authorization: Bearer <token>} to every request of a {@code WebClient}, when there is a token. */
    public ExchangeFilterFunction filter() {
        return (request, next) -> {
            String token = token();
            return next.exchange(
                    token == null
                            ? request
                            : ClientRequest.from(request)
                                    .headers(headers -> headers.setBearerAuth(token))
                                    .build());
        };
    }

    private String sign(Instant now) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(SUBJECT)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(TTL)))
                .claim(INTERNAL_CLAIM, true)
                .claim(ChannelGrants.PUBLISH_CLAIM, List.of())
                .claim(ChannelGrants.SUBSCRIBE_CLAIM, List.of("*"));
        if (blankToNull(auth.issuer()) != null) {
            claims.issuer(auth.issuer());
        }
        if (blankToNull(auth.audience()) != null) {
            claims.audience(auth.audience());
        }
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(
                    "cannot sign the internal token with fanout.auth.hmac-secret: " + e.getMessage(), e);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
