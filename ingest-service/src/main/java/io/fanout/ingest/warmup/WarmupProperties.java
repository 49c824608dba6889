package io.fanout.ingest.warmup;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The start-up warm-up, under {@code fanout.warmup}: before the service reports ready it sends itself rehearsal
 * {@code POST /push} requests over loopback, which the JIT compiles the publish path on, and whose events are written
 * only to the warm-up topic, which no service reads ({@link StartupWarmup}).
 *
 * @param enabled rehearse before reporting ready
 * @param requests how many rehearsal requests to send
 * @param connections how many of them are open at once (each on its own loopback connection)
 * @param maxDuration the longest the requests may take; the warm-up ends there whatever is left
 * @param settle after the requests, the longest to wait for the JIT compiler to go quiet
 * @param topic where the rehearsal's events are written (created when missing: the events topic's partition count, kept a minute), so that
 *     Kafka's producer client and the broker are warmed too; empty: written nowhere
 */
@Validated
@ConfigurationProperties("fanout.warmup")
public record WarmupProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("50000") @Min(1) @Max(10_000_000) int requests,
        @DefaultValue("32") @Min(1) @Max(1024) int connections,
        @DefaultValue("30s") @NotNull Duration maxDuration,
        @DefaultValue("10s") @NotNull Duration settle,
        @DefaultValue("fanout.warmup") @NotNull String topic) {}
