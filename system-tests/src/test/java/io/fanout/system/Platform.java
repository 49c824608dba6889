package io.fanout.system;

import io.fanout.ingest.IngestApplication;
import io.fanout.service.FanoutApplication;
import io.fanout.testsupport.TestKafka;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The services under test, each a real Spring Boot application on a random port, against the one real broker of
 * this test JVM and a topic of their own.
 * <ul>
 * <li>{@link #get()}: both services, started once per JVM and shared by the system tests, which keep apart by
 * using channels of their own; fanout-service reads {@code last=N} from this ingest-service's directory. It lives
 * until the JVM exits ({@link #close} does nothing to it).</li>
 * <li>{@link #start}, {@link #ingestOnly}, {@link #fanoutOnly}: a platform of a test's own, with settings that
 * cannot be shared (auth on, a small connection cap, ...) and a Streams application id of its own; its
 * fanout-service (if any) reads {@code last=N} from its own ingest-service (if any). The test closes it when done.</li>
 * </ul>
 */
final class Platform implements AutoCloseable {

    static final int PARTITIONS = 12;
    static final int SUBSCRIBER_BUFFER = 32;
    static final int REPLAY_POLL_RECORDS = 100;
    /** Per partition per log-reader fetch: below one read of {@link #REPLAY_POLL_RECORDS} and below a large event. */
    static final int REPLAY_PARTITION_FETCH_KB = 16;
    /** Long enough for a paused test client to stay paused while 100,000 events are published (CatchUpIT). */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(60);

    private static Platform shared;

    final String topic;
    final ConfigurableApplicationContext ingest;
    final ConfigurableApplicationContext fanout;
    private final List<String> ingestArgs;
    private final List<String> fanoutArgs;

    /**
     * @param settings extra {@code --name=value} arguments for both services
     * @param fanoutSettings extra arguments for fanout-service only, given the running ingest-service (or null)
     */
    private Platform(
            String bootstrapServers,
            String topic,
            boolean withIngest,
            boolean withFanout,
            List<String> settings,
            Function<ConfigurableApplicationContext, List<String>> fanoutSettings) {
        this.topic = topic;
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + bootstrapServers,
                "--fanout.topic=" + topic,
                "--fanout.publish.max-body-size=256KB",
                "--fanout.directory.state-dir=target/streams-state/" + System.nanoTime(),
                "--logging.level.org.apache.kafka=WARN"));
        args.addAll(settings);
        ingestArgs = List.copyOf(args);
        ingest = withIngest ? IngestApplication.builder().run(ingestArgs.toArray(String[]::new)) : null;
        args.addAll(fanoutSettings.apply(ingest));
        fanoutArgs = List.copyOf(args);
        fanout = withFanout ? FanoutApplication.builder().run(fanoutArgs.toArray(String[]::new)) : null;
    }

    /** The shared platform, started on first use. */
    static synchronized Platform get() {
        if (shared == null) {
            shared = new Platform(
                    TestKafka.bootstrapServers(),
                    TestKafka.newTopic("fanout.events.system", PARTITIONS),
                    true,
                    true,
                    List.of(
                            "--fanout.subscribe.buffer-size=" + SUBSCRIBER_BUFFER,
                            "--fanout.subscribe.write-timeout=" + WRITE_TIMEOUT.toSeconds() + "s"),
                    ingest -> List.of(
                            "--fanout.replay.directory-url=http://127.0.0.1:" + port(ingest),
                            "--fanout.replay.poll-records=" + REPLAY_POLL_RECORDS,
                            "--fanout.replay.partition-fetch-bytes=" + REPLAY_PARTITION_FETCH_KB + "KB"));
            Platform started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "platform-stop"));
        }
        return shared;
    }

    /** Both services on a fresh topic with these extra {@code --name=value} settings. */
    static Platform start(String... settings) {
        return own(TestKafka.newTopic("fanout.events.extra", 4), true, true, settings);
    }

    static Platform ingestOnly(String topic, String... settings) {
        return own(topic, true, false, settings);
    }

    static Platform fanoutOnly(String topic, String... settings) {
        return own(topic, false, true, settings);
    }

    private static Platform own(String topic, boolean withIngest, boolean withFanout, String... settings) {
        List<String> all = new ArrayList<>(
                List.of("--fanout.directory.application-id=fanout-directory-extra-" + System.nanoTime()));
        all.addAll(List.of(settings));
        return new Platform(
                TestKafka.bootstrapServers(),
                topic,
                withIngest,
                withFanout,
                all,
                ingest -> ingest == null
                        ? List.of()
                        : List.of("--fanout.replay.directory-url=http://127.0.0.1:" + port(ingest)));
    }

    /**
     * Both services of one region: against {@code bootstrapServers} (that region's cluster), on {@code topic}, as
     * region {@code name} reading the events of region {@code mirror} mirrored into its cluster; without the channel
     * directory. The test closes it.
     */
    static Platform region(String bootstrapServers, String topic, String name, String mirror) {
        return new Platform(
                bootstrapServers,
                topic,
                true,
                true,
                List.of(
                        "--fanout.region.name=" + name,
                        "--fanout.region.mirrors=" + mirror,
                        "--fanout.directory.enabled=false"),
                ingest -> List.of());
    }

    /**
     * Another ingest-service beside this platform's, with the same settings, topic and directory application id (so
     * the two split the directory's partitions and forward queries to each other). The caller closes it.
     */
    ConfigurableApplicationContext anotherIngest() {
        List<String> args = new ArrayList<>(ingestArgs);
        args.removeIf(arg -> arg.startsWith("--fanout.directory.state-dir="));
        args.add("--fanout.directory.state-dir=target/streams-state/" + System.nanoTime()); // a state dir of its own
        return IngestApplication.builder().run(args.toArray(String[]::new));
    }

    /**
     * Starts another fanout-service instance beside this one, in a JVM of its own (so it can be killed with
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

    /** The ingest-service's metrics (in-process, from its MeterRegistry). */
    Meters ingestMeters() {
        return new Meters(ingest);
    }

    /** The fanout-service's metrics (in-process, from its MeterRegistry). */
    Meters fanoutMeters() {
        return new Meters(fanout);
    }

    URI events(String query) {
        return URI.create("ws://127.0.0.1:" + fanoutPort() + "/events" + (query.isEmpty() ? "" : "?" + query));
    }

    static WebTestClient client(int port) {
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .codecs(codecs ->
                        codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)) // /actuator/prometheus, large batches
                .responseTimeout(Duration.ofSeconds(30))
                .build();
    }

    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** Stops a platform of a test's own; the shared one stays up until the JVM exits. */
    @Override
    public void close() {
        if (this != shared) {
            stop();
        }
    }

    private void stop() {
        if (fanout != null) {
            fanout.close();
        }
        if (ingest != null) {
            ingest.close();
        }
    }
}
