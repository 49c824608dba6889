package io.fanout.ingest.warmup;

import io.fanout.common.FanoutProperties;
import io.fanout.common.sequence.SequenceProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.ProducerFactory;

/** The start-up warm-up's beans; only with {@code fanout.warmup.enabled} (the default). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "fanout.warmup", name = "enabled", havingValue = "true", matchIfMissing = true)
class WarmupConfiguration {

    @Bean
    StartupWarmup startupWarmup(
            WarmupProperties properties,
            Rehearsal rehearsal,
            Environment environment,
            ProducerFactory<?, ?> producers,
            KafkaAdmin admin,
            FanoutProperties fanout,
            SequenceProperties sequence,
            MeterRegistry meters) {
        String publishTopic = sequence.publishTopic(fanout.topic());
        return new StartupWarmup(
                properties,
                rehearsal,
                environment,
                () -> RehearsalSink.open(properties, producers, admin, publishTopic),
                meters);
    }

    @Bean("warmup")
    WarmupHealthIndicator warmupHealthIndicator(StartupWarmup warmup) {
        return new WarmupHealthIndicator(warmup);
    }
}
