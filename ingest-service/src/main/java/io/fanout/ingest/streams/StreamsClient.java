package io.fanout.ingest.streams;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

/**
 * What ingest-service's Kafka Streams applications (the channel directory, the sequencer) do alike around their
 * {@link KafkaStreams}: a failed stream thread is replaced, unless more than {@value #MAX_THREAD_FAILURES} failed
 * within {@link #FAILURE_WINDOW}, when the client is shut down (its health DOWN) rather than left to loop; and a
 * close leaves the consumer group at once, so the other instances take over its partitions without waiting for the
 * session timeout. Thread-safe.
 */
public final class StreamsClient {

    private static final Logger log = LoggerFactory.getLogger(StreamsClient.class);
    static final int MAX_THREAD_FAILURES = 3;
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(10);

    private final String name;
    private final Deque<Long> threadFailures = new ArrayDeque<>();

    /** @param name what the logs call the application, e.g. {@code channel directory} */
    public StreamsClient(String name) {
        this.name = name;
    }

    /** The uncaught-exception handler's answer to a failed stream thread. */
    public StreamThreadExceptionResponse onStreamThreadFailure(Throwable failure) {
        long now = System.currentTimeMillis();
        synchronized (threadFailures) {
            threadFailures.addLast(now);
            while (threadFailures.peekFirst() < now - FAILURE_WINDOW.toMillis()) {
                threadFailures.removeFirst();
            }
            if (threadFailures.size() > MAX_THREAD_FAILURES) {
                log.error(
                        "{} stream thread failed {} times within {}; shutting the {} down",
                        name,
                        threadFailures.size(),
                        FAILURE_WINDOW,
                        name,
                        failure);
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
        }
        log.error("{} stream thread failed; replacing it", name, failure);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * The Kafka settings every Streams application of ingest-service starts from: {@code spring.kafka.streams.*} (and
     * the shared {@code spring.kafka.*}), with the bootstrap servers and security protocol of a
     * {@link KafkaConnectionDetails} bean when there is one (e.g. a Testcontainers broker). A new, mutable map.
     */
    public static Map<String, Object> kafkaConfig(
            KafkaProperties kafka, ObjectProvider<KafkaConnectionDetails> connection) {
        Map<String, Object> config = new HashMap<>(kafka.buildStreamsProperties());
        connection.ifAvailable(details -> {
            KafkaConnectionDetails.Configuration streams = details.getStreams();
            config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", streams.getBootstrapServers()));
            if (streams.getSecurityProtocol() != null) {
                config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, streams.getSecurityProtocol());
            }
        });
        return config;
    }

    /**
     * Closes {@code streams}, leaving the group, within {@code timeout}; when it closed and {@code wipeState}, its
     * local state directory is cleaned up too.
     *
     * @return whether it closed in time
     */
    public boolean close(KafkaStreams streams, Duration timeout, boolean wipeState) {
        boolean closed =
                streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(timeout));
        if (!closed) {
            log.warn("{} did not close within {}", name, timeout);
        } else if (wipeState) {
            streams.cleanUp();
        }
        return closed;
    }
}
