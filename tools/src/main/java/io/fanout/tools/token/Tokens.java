package io.fanout.tools.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Signs fanout tokens (nimbus-jose-jwt) for tests, {@code infra/mint-token} and anyone setting up auth; a real
 * deployment mints them in its own login service with the same claims. The services only verify tokens, so this
 * class is in no service jar. Stateless and thread-safe.
 */
public final class Tokens {

    /** The claim listing the channels (names or {@code prefix*} patterns) a token may publish to. */
    public static final String PUBLISH_CLAIM = "fanout.publish";
    /** The claim listing the channels (names or {@code prefix*} patterns) a token may subscribe to. */
    public static final String SUBSCRIBE_CLAIM = "fanout.subscribe";

    private Tokens() {}

    /** An HS256 token signed with {@code secret}, valid for {@code ttl}. */
    public static String hs256(
            String secret, String subject, List<String> publish, List<String> subscribe, Duration ttl) {
        return hs256(secret, claims(subject, publish, subscribe, ttl, null, null));
    }

    /** Signs any claims with HS256 (tests use it for tokens without expiry, already expired, and so on). */
    public static String hs256(String secret, JWTClaimsSet claims) {
        try {
            return sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, claims);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign with this secret: " + e.getMessage(), e);
        }
    }

    /** An RS256 token signed with {@code key}, valid for {@code ttl}. */
    public static String rs256(
            PrivateKey key, String subject, List<String> publish, List<String> subscribe, Duration ttl) {
        return rs256(key, claims(subject, publish, subscribe, ttl, null, null));
    }

    /** Signs any claims with RS256. */
    public static String rs256(PrivateKey key, JWTClaimsSet claims) {
        return sign(new RSASSASigner(key), JWSAlgorithm.RS256, claims);
    }

    /** The claims fanout reads: {@code sub}, {@code iat}, {@code exp} and the two channel lists. */
    public static JWTClaimsSet claims(
            String subject,
            List<String> publish,
            List<String> subscribe,
            Duration ttl,
            String issuer,
            String audience) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .claim(PUBLISH_CLAIM, publish)
                .claim(SUBSCRIBE_CLAIM, subscribe);
        if (issuer != null) {
            claims.issuer(issuer);
        }
        if (audience != null) {
            claims.audience(audience);
        }
        return claims.build();
    }

    private static String sign(JWSSigner signer, JWSAlgorithm algorithm, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign: " + e.getMessage(), e);
        }
    }
}
