package io.fanout.service;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Streams every record of the events topic to the WebSocket and SSE subscribers of its channel. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class FanoutApplication {

    public static void main(String[] args) {
        builder().run(args);
    }

    /**
     * The application with its own configuration file name ({@code fanout-service.yml}), so that both services can
     * share one classpath (as in the system tests) without reading each other's settings.
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(FanoutApplication.class).properties("spring.config.name=fanout-service");
    }
}
