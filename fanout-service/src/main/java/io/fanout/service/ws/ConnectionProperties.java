package io.fanout.service.ws;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The connection cap, under {@code fanout.subscribe} (next to {@code SubscribeProperties}' limits).
 *
 * @param maxConnections WebSocket connections one instance holds; one more is closed at once with 1013
 */
@Validated
@ConfigurationProperties("fanout.subscribe")
record ConnectionProperties(@DefaultValue("10000") @Min(1) int maxConnections) {
}
