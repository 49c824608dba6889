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
 * Both services, each a real Spring Boot application on a random port, against the one real broker of
 * this test JVM and a topic of their own. Started once per JVM and shared by the system tests, which
 * keep apart by using channels of their own.
 */
final class Platform {

    static final int PARTITIONS = 12;
    static final int SUBSCRIBER_BUFFER = 32;
    static final int REPLAY_POLL_RECORDS = 100;
    /** Long enough for a paused test client to stay paused while 100,000 events are published (CatchUpIT). */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(60);

    private static Platform instance;

    final String topic;
    final ConfigurableApplicationContext ingest;
    final ConfigurableApplicationContext fanout;
    private final List<String> fanoutArgs;

    private Platform() {
        topic = TestKafka.newTopic("fanout.events.system", PARTITIONS);
        List<String> common = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--fanout.topic=" + topic,
                "--fanout.publish.max-body-size=256KB",
                "--fanout.subscribe.buffer-size=" + SUBSCRIBER_BUFFER,
                "--fanout.subscribe.write-timeout=" + WRITE_TIMEOUT.toSeconds() + "s",
                "--fanout.directory.state-dir=target/streams-state/" + System.nanoTime(),
                "--logging.level.org.apache.kafka=WARN"));
        ingest = IngestApplication.builder().run(common.toArray(String[]::new));
        common.add("--fanout.replay.directory-url=http://127.0.0.1:" + port(ingest));
        common.add("--fanout.replay.poll-records=" + REPLAY_POLL_RECORDS);
        fanoutArgs = List.copyOf(common);
        fanout = FanoutApplication.builder().run(common.toArray(String[]::new));
    }

    static synchronized Platform get() {
        if (instance == null) {
            instance = new Platform();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                instance.fanout.close();
                instance.ingest.close();
            }, "platform-stop"));
        }
        return instance;
    }

    /**
     * Starts another fanout-service instance beside the first, in a JVM of its own (so it can be killed with
     * SIGKILL), with the same settings and only another port.
     */
    FanoutProcess startAnotherFanout() throws Exception {
        return FanoutProcess.start(fanoutArgs);
    }

    /** The settings the platform's fanout-service runs with (for another instance like it). */
    List<String> fanoutArgs() {
        return fanoutArgs;
    }

    int ingestPort() {
        return port(ingest);
    }

    int fanoutPort() {
        return port(fanout);
    }

    WebTestClient ingestClient() {
        return client(ingestPort());
    }

    WebTestClient fanoutClient() {
        return client(fanoutPort());
    }

    URI events(String query) {
        return URI.create("ws://127.0.0.1:" + fanoutPort() + "/events" + (query.isEmpty() ? "" : "?" + query));
    }

    private static WebTestClient client(int port) {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)) // /actuator/prometheus
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
