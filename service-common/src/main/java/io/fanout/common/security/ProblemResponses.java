package io.fanout.common.security;

import io.fanout.common.error.FanoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * 401 and 403 from the security filter chain as {@code application/problem+json} (RFC 9457), like every other
 * error of the HTTP API, with the RFC 6750 {@code WWW-Authenticate} challenge on 401. Status and detail come from
 * {@link InvalidTokenException} and {@link ChannelForbiddenException}, as everywhere else.
 */
final class ProblemResponses {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemResponses() {}

    static ServerAuthenticationEntryPoint unauthorized() {
        return (exchange, error) -> {
            String detail = detail(error);
            boolean noToken = detail == null;
            String challenge = noToken
                    ? "Bearer"
                    : "Bearer error=\"invalid_token\", error_description=\"" + detail.replace("\"", "'") + "\"";
            InvalidTokenException refusal = new InvalidTokenException(
                    noToken
                            ? "a bearer token is required: send" + " Authorization: Bearer <jwt> (or ?"
                                    + BearerTokens.QUERY_PARAMETER + "=<jwt>)"
                            : detail);
            exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
            return write(exchange, refusal, noToken ? refusal.getBody().getTitle() : "Invalid token");
        };
    }

    static ServerAccessDeniedHandler forbidden() {
        return (exchange, denied) -> {
            ChannelForbiddenException refusal = new ChannelForbiddenException("the token does not allow this request");
            return write(exchange, refusal, "Forbidden");
        };
    }

    private static Mono<Void> write(ServerWebExchange exchange, FanoutException refusal, String title) {
        return write(exchange, HttpStatus.valueOf(refusal.status()), title, refusal.detail());
    }

    static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String title, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("instance", exchange.getRequest().getPath().value());
        byte[] body = JSON.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8);
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getHeaders().setContentLength(body.length);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    /** The reason an presented token was refused, or {@code null} when there was no token at all. */
    private static String detail(AuthenticationException error) {
        if (error instanceof OAuth2AuthenticationException oauth) {
            String description = oauth.getError().getDescription();
            if (description != null && description.contains("expired")) {
                return "token expired";
            }
            return "invalid token: "
                    + (description == null
                            ? oauth.getError().getErrorCode()
                            : description.replace("An error occurred while attempting to decode the Jwt: ", ""));
        }
        return null;
    }
}
