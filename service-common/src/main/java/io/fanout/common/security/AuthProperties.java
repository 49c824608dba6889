package io.fanout.common.security;

import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.Resource;
import org.springframework.validation.annotation.Validated;

/**
 * Optional token auth, under {@code fanout.auth}. Off by default; {@code fanout.auth.enabled=true} turns it on and
 * then exactly one of {@code hmac-secret} and {@code public-key-location} must be set.
 *
 * <p>A token is a signed JWT (HS256 with the shared secret, or RS256 checked with the RSA public key) that must
 * carry {@code exp}; its claims {@value ChannelGrants#PUBLISH_CLAIM} and {@value ChannelGrants#SUBSCRIBE_CLAIM}
 * list the channels (exact names, or {@code prefix*} patterns) the bearer may publish to and subscribe to.
 *
 * @param enabled whether requests need a token (health, info and prometheus stay open)
 * @param hmacSecret the HS256 shared secret, at least 32 bytes of UTF-8
 * @param publicKeyLocation a PEM ({@code -----BEGIN PUBLIC KEY-----}) RSA public key checking RS256 tokens,
 *        e.g. {@code file:/etc/fanout/jwt.pub}
 * @param issuer when set, the {@code iss} every token must carry
 * @param audience when set, a value the token's {@code aud} must contain
 * @param clockSkew how far {@code exp}/{@code nbf} may be off; also how long after {@code exp} a WebSocket is closed
 * @param internalToken the bearer token of calls between fanout's services (see {@link InternalCredentials});
 *        empty: each service signs a short-lived one with {@code hmac-secret}. Required for those calls with RS256.
 * @param verifiedTokenCacheSize how many verified tokens each service remembers (until their {@code exp}), so that a
 *        token sent with every request is checked once; {@code 0}: every request's token is verified again
 */
@Validated
@ConfigurationProperties("fanout.auth")
public record AuthProperties(
        @DefaultValue("false") boolean enabled,
        String hmacSecret,
        Resource publicKeyLocation,
        String issuer,
        String audience,
        @DefaultValue("30s") Duration clockSkew,
        String internalToken,
        @DefaultValue("10000") @PositiveOrZero int verifiedTokenCacheSize) {}
