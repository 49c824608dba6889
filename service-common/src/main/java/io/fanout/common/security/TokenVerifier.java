package io.fanout.common.security;

import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/**
 * Verifies the token of a WebSocket handshake, where a refusal must be a close code with a reason (a browser never
 * sees the status of a refused handshake) rather than an HTTP 401. Uses the same {@link ReactiveJwtDecoder} (and so
 * the same keys and validators) as the HTTP filter chain. Thread-safe.
 */
public final class TokenVerifier {

    private final ReactiveJwtDecoder decoder;
    private final Duration clockSkew;

    /** @param decoder the decoder, or {@code null} when auth is off (every handshake is then let in) */
    public TokenVerifier(ReactiveJwtDecoder decoder, Duration clockSkew) {
        this.decoder = decoder;
        this.clockSkew = clockSkew;
    }

    public boolean enabled() {
        return decoder != null;
    }

    /** The decoder the HTTP filter chain shares; {@code null} when auth is off. */
    ReactiveJwtDecoder decoder() {
        return decoder;
    }

    /**
     * The grants of the handshake's token; errors with {@link InvalidTokenException} (a reason short enough for a
     * close frame) when there is none or it is not valid.
     */
    public Mono<VerifiedToken> verify(HttpHeaders headers, URI uri) {
        if (decoder == null) {
            return Mono.just(VerifiedToken.UNAUTHENTICATED);
        }
        String token = BearerTokens.resolve(headers, uri);
        if (token == null) {
            return Mono.error(new InvalidTokenException(
                    "token required: send Authorization: Bearer <jwt> or ?" + BearerTokens.QUERY_PARAMETER + "=<jwt>"));
        }
        return decoder.decode(token)
                .map(jwt -> new VerifiedToken(
                        ChannelGrants.of(jwt),
                        jwt.getExpiresAt() == null ? null : jwt.getExpiresAt().plus(clockSkew)))
                .onErrorMap(JwtException.class, e -> new InvalidTokenException(reason(e)));
    }

    /**
     * For an HTTP route served outside the security filter chain: the grants of the request's token, or an
     * {@link InvalidTokenException} worded exactly as the chain's 401 ({@link InvalidTokenException#forHttp}). While
     * auth is off, {@link ChannelGrants#ALL}.
     *
     * @param uri the request's URI (its query may carry the token), asked for only when auth is on
     */
    public Mono<ChannelGrants> authorizeHttp(HttpHeaders headers, Supplier<URI> uri) {
        if (decoder == null) {
            return Mono.just(ChannelGrants.ALL);
        }
        String token = BearerTokens.resolve(headers, uri.get());
        if (token == null) {
            return Mono.error(InvalidTokenException.forHttp(null));
        }
        return decoder.decode(token)
                .map(ChannelGrants::of)
                .onErrorMap(JwtException.class, e -> InvalidTokenException.forHttp(httpReason(e.getMessage(), null)));
    }

    /**
     * The 401 detail for a token the decoder refused with {@code description}: "token expired", else "invalid token:
     * " and what was wrong ({@code code} when there is no description).
     */
    static String httpReason(String description, String code) {
        if (description != null && description.contains("expired")) {
            return "token expired";
        }
        return "invalid token: "
                + (description == null
                        ? code
                        : description.replace("An error occurred while attempting to decode the Jwt: ", ""));
    }

    /**
     * A short reason a person can act on, from the decoder's error: {@link #httpReason}'s wording, cut to fit a close
     * frame.
     */
    static String reason(JwtException e) {
        boolean expired = e instanceof JwtValidationException invalid
                && invalid.getErrors().stream()
                        .anyMatch(
                                error -> String.valueOf(error.getDescription()).contains("expired"));
        String reason = expired ? "token expired" : httpReason(String.valueOf(e.getMessage()), null);
        return reason.length() > 110 ? reason.substring(0, 107) + "..." : reason;
    }
}
