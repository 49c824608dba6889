package io.fanout.common.publish;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Idempotent publishing, under {@code fanout.publish.idempotency}.
 *
 * @param window how long a key is remembered: a retry within it gets the first ack and writes nothing
 * @param maxKeys most keys remembered per instance (the oldest are forgotten first)
 * @param maxBytes most heap the remembered keys may take per instance (the oldest are forgotten first); an entry
 *        holds a digest, never the message, so it is a few hundred bytes whatever the message size
 * @param rebuildTimeout how long start-up may spend re-reading the last {@code window} of the topic for keys
 * @param followTopic follow the topic for keys written by other instances (a second consumer of the topic per
 *        instance); false: keys are known only to the instance that wrote them (and after its restarts)
 */
@Validated
@ConfigurationProperties("fanout.publish.idempotency")
public record IdempotencyProperties(
        @DefaultValue("10m") Duration window,
        @DefaultValue("100000") @Min(1) int maxKeys,
        @DefaultValue("32MB") DataSize maxBytes,
        @DefaultValue("30s") Duration rebuildTimeout,
        @DefaultValue("true") boolean followTopic) {}
