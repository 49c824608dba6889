package io.fanout.service.ws;

import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.RequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Upgrades as {@code delegate} does, with a {@link HandshakeInfo} that keeps of the request's headers only the one a
 * session reads ({@code Authorization}, for {@link SessionGate}'s token check). Spring's handshake info holds a copy
 * of every request header for the life of the socket (a case-insensitive map of lists: about 1.5 KiB per socket with
 * a browser's or a client library's usual headers), which for an idle subscriber was more than a tenth of its heap.
 */
final class LeanHandshakeUpgradeStrategy implements RequestUpgradeStrategy {

    private final RequestUpgradeStrategy delegate;

    LeanHandshakeUpgradeStrategy(RequestUpgradeStrategy delegate) {
        this.delegate = delegate;
    }

    @Override
    public Mono<Void> upgrade(
            ServerWebExchange exchange,
            WebSocketHandler handler,
            String subProtocol,
            Supplier<HandshakeInfo> handshakeInfoFactory) {
        return delegate.upgrade(exchange, handler, subProtocol, () -> lean(handshakeInfoFactory.get()));
    }

    /** {@code full} with only its {@code Authorization} header. */
    static HandshakeInfo lean(HandshakeInfo full) {
        String authorization = full.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        HttpHeaders kept = HttpHeaders.EMPTY;
        if (authorization != null) {
            kept = new HttpHeaders();
            kept.set(HttpHeaders.AUTHORIZATION, authorization);
        }
        return new HandshakeInfo(
                full.getUri(),
                kept,
                full.getCookies(),
                full.getPrincipal(),
                full.getSubProtocol(),
                full.getRemoteAddress(),
                full.getAttributes(),
                full.getLogPrefix());
    }
}
