package io.fanout.ingest.warmup;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code warmup} health: {@code OUT_OF_SERVICE} (so {@code /actuator/health} answers 503) from the moment the
 * HTTP server is up until the start-up warm-up finished, then UP with what it did. Present only when the warm-up is
 * on.
 */
class WarmupHealthIndicator implements HealthIndicator {

    private final StartupWarmup warmup;

    WarmupHealthIndicator(StartupWarmup warmup) {
        this.warmup = warmup;
    }

    @Override
    public Health health() {
        WarmupOutcome outcome = warmup.outcome();
        if (outcome == null) {
            return Health.status(Status.OUT_OF_SERVICE)
                    .withDetail("state", "rehearsing the publish path before taking traffic")
                    .build();
        }
        return Health.up()
                .withDetail("state", "done")
                .withDetail("requests", outcome.requests())
                .withDetail("answers", outcome.answers())
                .withDetail("requestSeconds", Math.round(outcome.requestSeconds() * 10) / 10.0)
                .withDetail("settleSeconds", Math.round(outcome.settleSeconds() * 10) / 10.0)
                .withDetail("writtenTo", outcome.topic() == null ? "nothing" : outcome.topic())
                .build();
    }
}
