package io.fanout.common.security;

import java.util.List;

/**
 * The paths on which a service accepts WebSocket handshakes. With auth on, a {@code GET} to one of these paths
 * carrying {@code Upgrade: websocket} passes the HTTP filter chain unauthenticated, so that the WebSocket handler can
 * verify the token itself and refuse with a close code (a browser never sees the status of a refused handshake).
 * Every other request, whatever its headers, is authenticated. A service without this bean accepts no handshake
 * unauthenticated. Immutable.
 *
 * @param paths exact request paths, e.g. {@code /events}
 */
public record WebSocketEndpoints(List<String> paths) {

    public WebSocketEndpoints {
        paths = List.copyOf(paths);
    }

    public static WebSocketEndpoints of(String... paths) {
        return new WebSocketEndpoints(List.of(paths));
    }
}
