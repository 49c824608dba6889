package io.fanout.common.health;

import io.fanout.common.FanoutProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;

/** The {@code kafka} health indicator of both services: UP while the cluster answers and the events topic exists. */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(FanoutProperties.class)
public class KafkaHealthAutoConfiguration {

    @Bean(name = "kafka", destroyMethod = "close")
    KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin admin, FanoutProperties fanout) {
        return new KafkaHealthIndicator(admin.getConfigurationProperties(), fanout.topic(), fanout.healthTimeout());
    }
}
