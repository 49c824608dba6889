package io.fanout.service.subscribe;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Subscription limits, under {@code fanout.subscribe}.
 *
 * @param bufferSize events that may wait for one session while it takes no more (send buffer full, history still
 *     being sent) before it is closed as too slow (close 4000); 8 times as many in any case
 * @param maxChannels channels one connection may follow
 * @param maxLast the largest {@code last=N}
 * @param writeTimeout a connection whose bytes have waited this long with no write completing is closed (a client
 *     that stopped reading)
 */
@Validated
@ConfigurationProperties("fanout.subscribe")
public record SubscribeProperties(
        @DefaultValue("1000") @Min(1) int bufferSize,
        @DefaultValue("100") @Min(1) int maxChannels,
        @DefaultValue("10000") @Min(1) int maxLast,
        @DefaultValue("10s") Duration writeTimeout) {
}
