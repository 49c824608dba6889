package io.fanout.system;

import io.fanout.ingest.IngestApplication;
import io.fanout.service.FanoutApplication;
import io.fanout.testsupport.TestKafka;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Both services with settings of their own (auth on, a small connection cap, ...), on a topic of their own, for tests
 * that cannot share {@link Platform}'s defaults. Either service may be left out. Close it when done.
 */
final class ExtraPlatform implements AutoCloseable {

    final String topic;
    final ConfigurableApplicationContext ingest;
    final ConfigurableApplicationContext fanout;
    private final String applicationId = "fanout-directory-extra-" + System.nanoTime();
    private final List<String> settings;

    private ExtraPlatform(boolean withIngest, boolean withFanout, String topic, List<String> settings) {
        this.topic = topic;
        this.settings = List.copyOf(settings);
        ingest = withIngest ? IngestApplication.builder().run(args(List.of()).toArray(String[]::new)) : null;
        // the fanout-service asks this platform's directory for last=N, not the default port's
        List<String> fanoutArgs = args(ingest == null ? List.of()
                : List.of("--fanout.replay.directory-url=http://127.0.0.1:" + port(ingest)));
        fanout = withFanout ? FanoutApplication.builder().run(fanoutArgs.toArray(String[]::new)) : null;
    }

    private List<String> args(List<String> more) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--fanout.topic=" + topic,
                "--fanout.publish.max-body-size=256KB",
                "--fanout.directory.state-dir=target/streams-state/" + System.nanoTime(),
                "--fanout.directory.application-id=" + applicationId,
                "--logging.level.org.apache.kafka=WARN"));
        args.addAll(settings);
        args.addAll(more);
        return args;
    }

    /**
     * Another ingest-service beside this platform's, with the same settings, topic and directory application id (so
     * the two split the directory's partitions and forward queries to each other). The caller closes it.
     */
    ConfigurableApplicationContext anotherIngest() {
        return IngestApplication.builder().run(args(List.of()).toArray(String[]::new));
    }

    /** Both services on a fresh topic with these extra {@code --name=value} settings. */
    static ExtraPlatform start(String... settings) {
        return new ExtraPlatform(true, true, TestKafka.newTopic("fanout.events.extra", 4), List.of(settings));
    }

    static ExtraPlatform ingestOnly(String topic, String... settings) {
        return new ExtraPlatform(true, false, topic, List.of(settings));
    }

    static ExtraPlatform fanoutOnly(String topic, String... settings) {
        return new ExtraPlatform(false, true, topic, List.of(settings));
    }

    WebTestClient ingestClient() {
        return client(port(ingest));
    }

    WebTestClient fanoutClient() {
        return client(port(fanout));
    }

    URI events(String query) {
        return URI.create("ws://127.0.0.1:" + port(fanout) + "/events" + (query.isEmpty() ? "" : "?" + query));
    }

    static WebTestClient client(int port) {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    @Override
    public void close() {
        if (fanout != null) {
            fanout.close();
        }
        if (ingest != null) {
            ingest.close();
        }
    }
}
