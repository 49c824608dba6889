package io.fanout.service.sse;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Server-Sent Events, under {@code fanout.sse}.
 *
 * @param heartbeat how often a comment line is sent on an otherwise quiet stream, so proxies keep it open
 * @param retry the reconnection delay advised to {@code EventSource} clients
 */
@ConfigurationProperties("fanout.sse")
public record SseProperties(
        @DefaultValue("15s") Duration heartbeat,
        @DefaultValue("1s") Duration retry) {}
