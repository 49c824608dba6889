package io.fanout.service.ws;

import io.fanout.common.publish.PublishProperties;
import io.fanout.common.security.WebSocketEndpoints;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * Maps {@code /events} to the WebSocket handler; frames larger than the publish limit close with 1009; a socket keeps
 * only what it reads of its handshake ({@link LeanHandshakeUpgradeStrategy}).
 */
@Configuration(proxyBeanMethods = false)
class WebSocketConfiguration {

    /** The one WebSocket endpoint. */
    static final String EVENTS_PATH = "/events";

    @Bean
    HandlerMapping eventsHandlerMapping(EventsWebSocketHandler handler) {
        return new SimpleUrlHandlerMapping(Map.of(EVENTS_PATH, handler), -1);
    }

    /** With auth on, only a handshake to this path is left to {@link SessionGate} to verify (close 1008). */
    @Bean
    WebSocketEndpoints webSocketEndpoints() {
        return WebSocketEndpoints.of(EVENTS_PATH);
    }

    @Bean
    WebSocketService webSocketService(PublishProperties publish) {
        int maxFrame = publish.maxBodyBytes();
        return new HandshakeWebSocketService(new LeanHandshakeUpgradeStrategy(
                () -> WebsocketServerSpec.builder().maxFramePayloadLength(maxFrame)));
    }

    @Bean
    WebSocketHandlerAdapter webSocketHandlerAdapter(WebSocketService webSocketService) {
        return new WebSocketHandlerAdapter(webSocketService);
    }
}
