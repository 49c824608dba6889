package io.fanout.service.ws;

import java.util.function.Supplier;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.CollectionUtils;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;
import org.springframework.web.reactive.socket.server.RequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * Upgrades to a Reactor Netty WebSocket as Spring's {@code ReactorNettyRequestUpgradeStrategy} does, keeping for the
 * life of the socket only what a session reads. An idle subscriber's heap is mostly what its socket keeps, so:
 * <ul>
 *   <li>the session's {@link HandshakeInfo} has of the request's headers only {@code Authorization} (for
 *       {@link SessionGate}'s token check), no cookies and no principal (fanout reads neither; the token is the
 *       identity). Spring's holds a copy of every header, a case-insensitive map of lists: about 1.5 KiB with a
 *       browser's or a client library's usual headers;</li>
 *   <li>once the handshake's response is written, Netty's request and response headers are emptied: Reactor Netty
 *       keeps both for the life of the socket and reads neither after the handshake (about 1.2 KiB);</li>
 *   <li>the handler's pipeline gets no Reactor checkpoint, whose description (the whole URI) Spring builds per
 *       socket.</li>
 * </ul>
 */
final class LeanHandshakeUpgradeStrategy implements RequestUpgradeStrategy {

    private static final MultiValueMap<String, HttpCookie> NO_COOKIES =
            CollectionUtils.unmodifiableMultiValueMap(new LinkedMultiValueMap<>());

    private final Supplier<WebsocketServerSpec.Builder> spec;

    /** @param spec the WebSocket settings (frame limit and such); a sub-protocol the handshake chose is added */
    LeanHandshakeUpgradeStrategy(Supplier<WebsocketServerSpec.Builder> spec) {
        this.spec = spec;
    }

    @Override
    public Mono<Void> upgrade(
            ServerWebExchange exchange,
            WebSocketHandler handler,
            String subProtocol,
            Supplier<HandshakeInfo> handshakeInfoFactory) {
        ServerHttpResponse response = exchange.getResponse();
        HttpServerResponse reactorResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        HandshakeInfo handshake = lean(handshakeInfoFactory.get());
        NettyDataBufferFactory buffers = (NettyDataBufferFactory) response.bufferFactory();
        // setComplete runs WebFlux's actions before a response is committed (its headers); then the upgrade
        return response.setComplete().then(Mono.defer(() -> {
            WebsocketServerSpec websocket = specFor(subProtocol);
            return reactorResponse.sendWebsocket(
                    (in, out) -> {
                        // called once the handshake's response is written: nothing reads these again
                        in.headers().clear();
                        reactorResponse.responseHeaders().clear();
                        return handler.handle(new ReactorNettyWebSocketSession(
                                in, out, handshake, buffers, websocket.maxFramePayloadLength()));
                    },
                    websocket);
        }));
    }

    private WebsocketServerSpec specFor(String subProtocol) {
        WebsocketServerSpec.Builder builder = spec.get();
        if (subProtocol != null) {
            builder.protocols(subProtocol);
        }
        return builder.build();
    }

    /** {@code full} with only its {@code Authorization} header, and no cookies or principal. */
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
                NO_COOKIES,
                Mono.empty(),
                full.getSubProtocol(),
                full.getRemoteAddress(),
                full.getAttributes(),
                full.getLogPrefix());
    }
}
