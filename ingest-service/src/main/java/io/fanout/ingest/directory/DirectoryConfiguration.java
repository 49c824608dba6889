package io.fanout.ingest.directory;

import io.fanout.common.FanoutProperties;
import io.fanout.common.region.RegionProperties;
import io.fanout.common.security.ChannelAccess;
import io.fanout.common.security.InternalCredentials;
import io.fanout.ingest.streams.StreamsClient;
import io.fanout.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The channel directory's beans; all of them only with {@code fanout.directory.enabled} (the default).
 * Kafka connection settings come from {@code spring.kafka.*} (Boot's connection details, then
 * {@code spring.kafka.streams.*}), the directory's own from {@link DirectoryProperties}; the topics it reads from
 * {@code fanout.topic} and {@link RegionProperties#topicsByOrigin} (this region's and the mirrored ones).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "fanout.directory", name = "enabled", havingValue = "true", matchIfMissing = true)
class DirectoryConfiguration {

    @Bean
    DirectoryMetrics directoryMetrics(ObjectProvider<MeterRegistry> meters, FanoutProperties fanout) {
        return new DirectoryMetrics(meters.getIfAvailable(SimpleMeterRegistry::new), fanout.topic());
    }

    @Bean
    DirectoryStreams directoryStreams(
            KafkaProperties kafka,
            ObjectProvider<KafkaConnectionDetails> connection,
            FanoutProperties fanout,
            DirectoryProperties directory,
            DirectoryMetrics metrics,
            RegionProperties region,
            Environment environment) {
        Map<String, Object> config = StreamsClient.kafkaConfig(kafka, connection);
        boolean ephemeral = directory.stateDir() == null && "0".equals(environment.getProperty("server.port"));
        List<String> mirrored = region.topicsByOrigin(fanout.topic()).values().stream()
                .filter(topic -> !topic.equals(fanout.topic()))
                .toList();
        return new DirectoryStreams(config, Topics.events(fanout.topic()), mirrored, directory, metrics, ephemeral);
    }

    @Bean
    ChannelDirectory channelDirectory(
            DirectoryStreams streams, DirectoryProperties directory, InternalCredentials credentials) {
        // forwarded queries carry this service's own credential, not the caller's: the caller's grants are applied
        // by the instance it asked
        return new ChannelDirectory(
                streams,
                WebClient.builder().filter(credentials.filter()).build(),
                directory.forwardTimeout(),
                Clock.systemUTC());
    }

    @Bean
    ChannelController channelController(
            ChannelDirectory directory, ChannelAccess access, DirectoryProperties properties) {
        return new ChannelController(directory, access, properties.retryAfter());
    }

    @Bean("directory")
    DirectoryHealthIndicator directoryHealthIndicator(DirectoryStreams streams) {
        return new DirectoryHealthIndicator(streams);
    }
}
