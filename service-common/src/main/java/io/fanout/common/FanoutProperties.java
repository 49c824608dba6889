package io.fanout.common;

import io.fanout.schemas.Topics;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings both services share, under {@code fanout}.
 *
 * @param topic the events topic (contract property {@code fanout.topic})
 * @param healthTimeout how long a health check waits for Kafka before reporting DOWN
 */
@Validated
@ConfigurationProperties("fanout")
public record FanoutProperties(
        @DefaultValue(Topics.DEFAULT_EVENTS) @NotBlank String topic,
        @DefaultValue("2s") Duration healthTimeout) {}
