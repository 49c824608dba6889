package io.fanout.common.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.springframework.security.converter.RsaKeyConverters;

/**
 * Mints fanout tokens (nimbus-jose-jwt), for tests, {@code infra/mint-token} and anyone setting up auth; a real
 * deployment mints them in its own login service with the same claims. Usage:
 * <pre>
 * MintToken (--secret S | --private-key pkcs8.pem) [--sub NAME] [--publish a,news:*] [--subscribe b,news:*]
 *           [--ttl 3600] [--issuer I] [--audience A]
 * </pre>
 * prints the compact JWT on stdout. {@code --ttl} is in seconds.
 */
public final class MintToken {

    private MintToken() {
    }

    /** An HS256 token signed with {@code secret}, valid for {@code ttl}. */
    public static String hs256(String secret, String subject, List<String> publish, List<String> subscribe,
            Duration ttl) {
        try {
            return sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256,
                    claims(subject, publish, subscribe, ttl, null, null));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign with this secret: " + e.getMessage(), e);
        }
    }

    /** An RS256 token signed with {@code key}, valid for {@code ttl}. */
    public static String rs256(PrivateKey key, String subject, List<String> publish, List<String> subscribe,
            Duration ttl) {
        return sign(new RSASSASigner(key), JWSAlgorithm.RS256, claims(subject, publish, subscribe, ttl, null, null));
    }

    /** Signs any claims with HS256 (tests use it for tokens without expiry, already expired, and so on). */
    public static String hs256(String secret, JWTClaimsSet claims) {
        try {
            return sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, claims);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign with this secret: " + e.getMessage(), e);
        }
    }

    /** The claims fanout reads: {@code sub}, {@code iat}, {@code exp} and the two channel lists. */
    public static JWTClaimsSet claims(String subject, List<String> publish, List<String> subscribe, Duration ttl,
            String issuer, String audience) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .claim(ChannelGrants.PUBLISH_CLAIM, publish)
                .claim(ChannelGrants.SUBSCRIBE_CLAIM, subscribe);
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

    public static void main(String[] args) throws IOException {
        String secret = null, privateKey = null, subject = "fanout-client", issuer = null, audience = null;
        List<String> publish = List.of(), subscribe = List.of();
        long ttl = 3600;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--secret" -> secret = value;
                case "--private-key" -> privateKey = value;
                case "--sub" -> subject = value;
                case "--publish" -> publish = list(value);
                case "--subscribe" -> subscribe = list(value);
                case "--ttl" -> ttl = Long.parseLong(value);
                case "--issuer" -> issuer = value;
                case "--audience" -> audience = value;
                default -> usage("unknown option " + args[i]);
            }
            i++;
        }
        if ((secret == null) == (privateKey == null)) {
            usage("give exactly one of --secret and --private-key");
        }
        JWTClaimsSet claims = claims(subject, publish, subscribe, Duration.ofSeconds(ttl), issuer, audience);
        String token;
        if (secret != null) {
            token = hs256(secret, claims);
        } else {
            try (InputStream in = Files.newInputStream(Path.of(privateKey))) {
                token = sign(new RSASSASigner(RsaKeyConverters.pkcs8().convert(in)), JWSAlgorithm.RS256, claims);
            }
        }
        System.out.println(token);
    }

    private static List<String> list(String value) {
        return value == null || value.isBlank() ? List.of()
                : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static void usage(String problem) {
        System.err.println("mint-token: " + problem);
        System.err.println("usage: (--secret S | --private-key pkcs8.pem) [--sub NAME] [--publish a,news:*]"
                + " [--subscribe b,news:*] [--ttl SECONDS] [--issuer I] [--audience A]");
        System.exit(2);
    }
}
