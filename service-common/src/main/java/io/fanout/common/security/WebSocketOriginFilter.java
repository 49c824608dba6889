package io.fanout.common.security;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses, with 403, a WebSocket handshake whose {@code Origin} is not one of {@code fanout.cors.allowed-origins}.
 * Browsers do not apply CORS to WebSockets, so without this check any page could open a socket with its visitor's
 * token. Handshakes without {@code Origin} (non-browser clients) or from the service's own origin pass.
 */
final class WebSocketOriginFilter implements WebFilter {

    private final CorsConfiguration allowed;

    WebSocketOriginFilter(CorsConfiguration allowed) {
        this.allowed = allowed;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        String origin = headers.getOrigin();
        if (origin != null
                && "websocket".equalsIgnoreCase(headers.getFirst(HttpHeaders.UPGRADE))
                && CorsUtils.isCorsRequest(exchange.getRequest())
                && allowed.checkOrigin(origin) == null) {
            return ProblemResponses.write(
                    exchange,
                    HttpStatus.FORBIDDEN,
                    "Origin not allowed",
                    "WebSocket connections from origin " + origin + " are not allowed (fanout.cors.allowed-origins)");
        }
        return chain.filter(exchange);
    }
}
