package io.fanout.service.ws;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The connection cap, under {@code fanout.subscribe} (next to {@code SubscribeProperties}' limits).
 *
 * @param maxConnections WebSocket connections one instance holds; one more is closed at once with 1013 (an idle
 *     connection takes about 17-22 KiB of RSS and 11.9 KiB of heap (bench/RESULTS.md): 25,000 hold about
 *     290 MiB of the default -Xmx512m)
 */
@Validated
@ConfigurationProperties("fanout.subscribe")
record ConnectionProperties(@DefaultValue("25000") @Min(1) int maxConnections) {}
