package io.fanout.service.subscribe;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Subscription limits, under {@code fanout.subscribe}.
 *
 * @param bufferSize live events that may wait for one session while it takes no more (its socket full, or it is
 *     reading the log), 8 times as many while its client keeps up; beyond it the session drops them and catches up
 *     from the log
 * @param bufferBytes the same bound in bytes of waiting frames
 * @param totalBufferBytes bytes of live frames waiting for all sessions of this instance together; a session whose
 *     frame would pass it drops its buffer and catches up from the log
 * @param maxLag records a session may be behind the log end before it is closed (4000); the default is generous
 * @param maxChannels channels one connection may follow
 * @param maxLast the largest {@code last=N}
 * @param writeTimeout a connection whose bytes have waited this long with no byte written to the socket is closed
 *     (a client that stopped reading)
 */
@Validated
@ConfigurationProperties("fanout.subscribe")
public record SubscribeProperties(
        @DefaultValue("1000") @Min(1) int bufferSize,
        @DefaultValue("8MB") DataSize bufferBytes,
        @DefaultValue("256MB") DataSize totalBufferBytes,
        @DefaultValue("100000000") @Min(1) long maxLag,
        @DefaultValue("100") @Min(1) int maxChannels,
        @DefaultValue("10000") @Min(1) int maxLast,
        @DefaultValue("10s") Duration writeTimeout) {}
