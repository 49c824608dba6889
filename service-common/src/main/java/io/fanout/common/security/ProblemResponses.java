package io.fanout.common.security;

import io.fanout.common.error.FanoutException;
import io.fanout.common.error.ProblemJson;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * 401 and 403 from the security filter chain as {@code application/problem+json} (RFC 9457), like every other
 * error of the HTTP API, with the RFC 6750 {@code WWW-Authenticate} challenge on 401. Status and detail come from
 * {@link InvalidTokenException} and {@link ChannelForbiddenException}, as everywhere else.
 */
final class ProblemResponses {

    private ProblemResponses() {}

    static ServerAuthenticationEntryPoint unauthorized() {
        return (exchange, error) -> {
            InvalidTokenException refusal = InvalidTokenException.forHttp(reason(error));
            exchange.getResponse().getHeaders().putAll(refusal.getHeaders());
            return write(exchange, refusal, refusal.getBody().getTitle());
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
        byte[] body = ProblemJson.of(
                status.value(), title, detail, exchange.getRequest().getPath().value());
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getHeaders().setContentLength(body.length);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    /** Why a presented token was refused, or {@code null} when there was no token at all. */
    private static String reason(AuthenticationException error) {
        if (error instanceof OAuth2AuthenticationException oauth) {
            return TokenVerifier.httpReason(
                    oauth.getError().getDescription(), oauth.getError().getErrorCode());
        }
        return null;
    }
}
