package io.fanout.ingest;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * ingest-service: HTTP publish ({@code POST /push}, {@code POST /push/batch}, package {@code publish}) into the
 * events topic, and the channel directory ({@code GET /channels...}, package {@code directory}), a Kafka Streams
 * index of that topic which fanout-service asks for {@code last=N}; with {@code fanout.sequence.enabled}, the
 * sequencer (package {@code sequence}) that numbers each channel's events on their way into the events topic.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class IngestApplication {

    public static void main(String[] args) {
        builder().run(args);
    }

    /**
     * The application with its own configuration file name ({@code ingest-service.yml}), so that both services can
     * share one classpath (as in the system tests) without reading each other's settings.
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(IngestApplication.class).properties("spring.config.name=ingest-service");
    }
}
