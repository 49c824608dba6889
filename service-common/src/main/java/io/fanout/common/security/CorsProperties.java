package io.fanout.common.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Browser origins, under {@code fanout.cors}. Empty (the default): no CORS headers are sent and WebSocket
 * handshakes are accepted from any origin. Otherwise only these origins (exact, e.g. {@code https://app.example.com},
 * or patterns such as {@code https://*.example.com}; {@code *} for any) may call the HTTP API from a browser or open
 * a WebSocket; a handshake from another {@code Origin} gets 403.
 *
 * @param allowedOrigins origins or origin patterns
 */
@ConfigurationProperties("fanout.cors")
public record CorsProperties(@DefaultValue List<String> allowedOrigins) {}
