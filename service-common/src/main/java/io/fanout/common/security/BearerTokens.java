package io.fanout.common.security;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * Where a request carries its token: {@code Authorization: Bearer <jwt>} first, else the {@code token} query
 * parameter (browsers cannot set headers on a WebSocket or {@code EventSource}), else {@code access_token}
 * (RFC 6750). Only finds the token; verifying it is the {@code ReactiveJwtDecoder}'s job.
 */
public final class BearerTokens {

    /** The query parameter browsers use to send their token. */
    public static final String QUERY_PARAMETER = "token";

    private static final String RFC6750_QUERY_PARAMETER = "access_token";

    private BearerTokens() {}

    /** The token of a request, or {@code null} when it carries none. */
    public static String resolve(HttpHeaders headers, URI uri) {
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            return token.isEmpty() ? null : token;
        }
        MultiValueMap<String, String> query =
                UriComponentsBuilder.fromUri(uri).build().getQueryParams();
        for (String name : List.of(QUERY_PARAMETER, RFC6750_QUERY_PARAMETER)) {
            String value = query.getFirst(name);
            if (value != null && !value.isBlank()) {
                return UriUtils.decode(value, StandardCharsets.UTF_8).trim();
            }
        }
        return null;
    }
}
