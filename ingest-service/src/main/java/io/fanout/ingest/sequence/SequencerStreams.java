package io.fanout.ingest.sequence;

import io.fanout.schemas.Topic;
import io.fanout.schemas.avro.Event;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.FileSystemUtils;

/**
 * Owns the sequencer's {@link KafkaStreams} ({@link SequencerTopology}, always {@code exactly_once_v2}): builds it on
 * {@link #start()} and closes it on {@link #stop()}; a stopped instance can be started again (a new
 * {@code KafkaStreams} over the same state directory, restored from the changelog where it is behind). Instances with
 * the same application id split the input's partitions; closing leaves the group at once, so the others take over
 * without waiting for the session timeout.
 *
 * <p>Stops after the web server's graceful shutdown, so publishes in flight are acknowledged (they only need the input
 * topic) and then numbered by whichever instance owns their partition.
 *
 * <p>A failed stream thread is replaced; more than {@value #MAX_THREAD_FAILURES} failures within
 * {@link #FAILURE_WINDOW} shut the sequencer down (health DOWN) rather than loop.
 */
final class SequencerStreams implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SequencerStreams.class);
    private static final int MAX_THREAD_FAILURES = 3;
    private static final Duration FAILURE_WINDOW = Duration.ofMinutes(10);

    private final Map<String, Object> kafkaConfig;
    private final Topic<String, Event> input;
    private final String eventsTopic;
    private final SequencerProperties properties;
    private final String stateDir;
    private final boolean ephemeralStateDir;
    private final Counter skipped;
    private final Deque<Long> threadFailures = new ArrayDeque<>();
    private final Object lifecycle = new Object();

    private volatile KafkaStreams streams;

    /**
     * @param kafkaConfig connection and other Kafka settings ({@code spring.kafka.*}) that the sequencer's own complete
     * @param input the topic publishers write to
     * @param eventsTopic where numbered events go
     * @param stateDir where the sequence store lives
     * @param ephemeralStateDir wipe the local state on stop (a directory nobody would find again)
     * @param skipped counts input records that are not Events
     */
    SequencerStreams(
            Map<String, Object> kafkaConfig,
            Topic<String, Event> input,
            String eventsTopic,
            SequencerProperties properties,
            String stateDir,
            boolean ephemeralStateDir,
            Counter skipped) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.input = input;
        this.eventsTopic = eventsTopic;
        this.properties = properties;
        this.stateDir = stateDir;
        this.ephemeralStateDir = ephemeralStateDir;
        this.skipped = skipped;
    }

    @Override
    public int getPhase() {
        return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE - 512;
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            if (streams != null) {
                return;
            }
            StreamsBuilder builder = new StreamsBuilder();
            SequencerTopology.build(builder, input, eventsTopic, skipped::increment);
            KafkaStreams created = new KafkaStreams(builder.build(), config());
            created.setUncaughtExceptionHandler(this::onStreamThreadFailure);
            created.setStateListener((now, before) -> log.info("sequencer {} -> {}", before, now));
            streams = created;
            log.info(
                    "starting sequencer {}: {} -> {} (commit every {} ms, state in {})",
                    properties.applicationId(),
                    input.name(),
                    eventsTopic,
                    properties.commitInterval().toMillis(),
                    stateDir);
            created.start();
        }
    }

    Properties config() {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, properties.applicationId());
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, properties.replicationFactor());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, properties.streamThreads());
        config.put(
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                properties.commitInterval().toMillis());
        config.put(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        // latency, not throughput: spring.kafka.streams.properties tune the directory the other way
        config.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), properties.lingerMs());
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), 1);
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), (int)
                properties.fetchMaxWait().toMillis());
        config.remove(StreamsConfig.APPLICATION_SERVER_CONFIG);
        Properties props = new Properties();
        props.putAll(config);
        return props;
    }

    private StreamThreadExceptionResponse onStreamThreadFailure(Throwable failure) {
        long now = System.currentTimeMillis();
        synchronized (threadFailures) {
            threadFailures.addLast(now);
            while (threadFailures.peekFirst() < now - FAILURE_WINDOW.toMillis()) {
                threadFailures.removeFirst();
            }
            if (threadFailures.size() > MAX_THREAD_FAILURES) {
                log.error(
                        "sequencer stream thread failed {} times within {}; shutting the sequencer down",
                        threadFailures.size(),
                        FAILURE_WINDOW,
                        failure);
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
        }
        log.error("sequencer stream thread failed; replacing it", failure);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    @Override
    public void stop() {
        synchronized (lifecycle) {
            KafkaStreams closing = streams;
            if (closing == null) {
                return;
            }
            streams = null;
            boolean closed = closing.close(
                    CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                            .withTimeout(properties.closeTimeout()));
            if (!closed) {
                log.warn("sequencer did not close within {}", properties.closeTimeout());
            } else if (ephemeralStateDir) {
                closing.cleanUp();
                FileSystemUtils.deleteRecursively(Path.of(stateDir).toFile());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return streams != null;
    }

    /** The Streams state, or {@code null} while stopped. */
    KafkaStreams.State state() {
        KafkaStreams current = streams;
        return current == null ? null : current.state();
    }

    String applicationId() {
        return properties.applicationId();
    }

    /** A fresh directory for state nobody will look for again (a server on a random port). */
    static String temporaryStateDir(String applicationId) {
        try {
            return Files.createTempDirectory("fanout-sequencer-" + applicationId + "-")
                    .toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("could not create the sequencer's state directory", e);
        }
    }
}
