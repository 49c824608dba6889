package io.fanout.ingest.warmup;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The start-up warm-up's beans; only with {@code fanout.warmup.enabled} (the default). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "fanout.warmup", name = "enabled", havingValue = "true", matchIfMissing = true)
class WarmupConfiguration {

    @Bean
    StartupWarmup startupWarmup(WarmupProperties properties, Rehearsal rehearsal, Environment environment) {
        return new StartupWarmup(properties, rehearsal, environment);
    }

    @Bean("warmup")
    WarmupHealthIndicator warmupHealthIndicator(StartupWarmup warmup) {
        return new WarmupHealthIndicator(warmup);
    }
}
