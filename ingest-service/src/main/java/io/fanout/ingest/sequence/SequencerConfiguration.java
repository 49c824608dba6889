package io.fanout.ingest.sequence;

import io.fanout.common.FanoutProperties;
import io.fanout.common.sequence.SequenceProperties;
import io.fanout.ingest.streams.StreamsClient;
import io.fanout.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The sequencer's beans, only with {@code fanout.sequence.enabled}: it reads {@code fanout.sequence.input-topic} and
 * writes {@code fanout.topic}. Kafka connection settings come from {@code spring.kafka.*} (Boot's connection details,
 * then {@code spring.kafka.streams.*}), its own from {@link SequencerProperties}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "fanout.sequence", name = "enabled", havingValue = "true")
class SequencerConfiguration {

    @Bean
    SequencerStreams sequencerStreams(
            KafkaProperties kafka,
            ObjectProvider<KafkaConnectionDetails> connection,
            FanoutProperties fanout,
            SequenceProperties sequence,
            SequencerProperties sequencer,
            ObjectProvider<MeterRegistry> meters,
            Environment environment) {
        Map<String, Object> config = StreamsClient.kafkaConfig(kafka, connection);
        String port = environment.getProperty("server.port", "8080");
        boolean ephemeral = sequencer.stateDir() == null && "0".equals(port);
        String stateDir = sequencer.stateDir() != null
                ? sequencer.stateDir()
                : ephemeral
                        ? SequencerStreams.temporaryStateDir(sequencer.applicationId())
                        : Path.of(
                                        System.getProperty("java.io.tmpdir"),
                                        "fanout-sequencer",
                                        sequencer.applicationId() + "-" + port)
                                .toString();
        Counter skipped = Counter.builder("fanout.sequencer.skipped")
                .description("records of the sequencer's input topic left out because they are not Events")
                .register(meters.getIfAvailable(SimpleMeterRegistry::new));
        return new SequencerStreams(
                config, Topics.events(sequence.inputTopic()), fanout.topic(), sequencer, stateDir, ephemeral, skipped);
    }

    @Bean("sequencer")
    SequencerHealthIndicator sequencerHealthIndicator(SequencerStreams streams) {
        return new SequencerHealthIndicator(streams);
    }
}
