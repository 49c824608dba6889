package io.fanout.ingest.directory;

import io.fanout.ingest.streams.StreamsClient;
import io.fanout.schemas.Topic;
import io.fanout.schemas.avro.Event;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.FileSystemUtils;

/**
 * Owns the directory's {@link KafkaStreams}: builds it from {@link DirectoryTopology} on {@link #start()}
 * and closes it on {@link #stop()}; a stopped instance can be started again (a new {@code KafkaStreams}
 * over the same state directory, or a wiped one, restored from the changelogs).
 *
 * <p>Starts after the web server (it needs the server's port for {@code application.server}) and stops
 * after the web server's graceful shutdown, so requests in flight still get answers. Closing leaves the
 * consumer group at once, so the other instances take over this one's partitions without waiting for
 * the session timeout.
 *
 * <p>A failed stream thread is replaced; repeated failures shut the directory down (health DOWN) rather than loop
 * ({@link StreamsClient}).
 *
 * <p>The query methods may be called from any thread; they throw {@link DirectoryUnavailableException}
 * unless Streams is {@code RUNNING}.
 */
final class DirectoryStreams implements SmartLifecycle, ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(DirectoryStreams.class);

    private final Map<String, Object> kafkaConfig;
    private final Topic<String, Event> events;
    private final List<String> mirrored;
    private final DirectoryProperties properties;
    private final DirectoryMetrics metrics;
    private final boolean ephemeralStateDir;
    private final Serializer<String> keySerializer;
    private final StreamsClient client = new StreamsClient("channel directory");
    private final Object lifecycle = new Object();

    private volatile int serverPort;
    private volatile KafkaStreams streams;
    private volatile HostInfo self;
    private volatile String stateDir;

    /**
     * @param kafkaConfig connection and other Kafka settings ({@code spring.kafka.*}) that the directory's
     *        own settings complete
     * @param events this region's events topic
     * @param mirrored the other regions' events topics mirrored into this cluster, read beside it
     * @param ephemeralStateDir wipe the local state on stop (the default state directory of a server on a
     *        random port could never be found again)
     */
    DirectoryStreams(
            Map<String, Object> kafkaConfig,
            Topic<String, Event> events,
            List<String> mirrored,
            DirectoryProperties properties,
            DirectoryMetrics metrics,
            boolean ephemeralStateDir) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.events = events;
        this.mirrored = List.copyOf(mirrored);
        this.properties = properties;
        this.metrics = metrics;
        this.ephemeralStateDir = ephemeralStateDir;
        this.keySerializer = events.keySerde().serializer();
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() == null) {
            serverPort = event.getWebServer().getPort();
        }
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
            int port = properties.advertisedPort() > 0 ? properties.advertisedPort() : serverPort;
            if (port <= 0) {
                throw new IllegalStateException("the channel directory needs this instance's HTTP port for "
                        + "application.server; set fanout.directory.advertised-port");
            }
            HostInfo host = new HostInfo(properties.advertisedHost(), port);
            String dir = properties.stateDir() != null
                    ? properties.stateDir()
                    : Path.of(
                                    System.getProperty("java.io.tmpdir"),
                                    "fanout-directory",
                                    properties.applicationId() + "-" + host.host() + "-" + host.port())
                            .toString();

            StreamsBuilder builder = new StreamsBuilder();
            DirectoryTopology.build(builder, events, mirrored, properties.recentOffsets(), metrics::skipped);
            KafkaStreams created = new KafkaStreams(builder.build(), config(host, dir));
            created.setUncaughtExceptionHandler(client::onStreamThreadFailure);
            created.setStateListener((now, before) -> log.info("channel directory {} -> {}", before, now));
            metrics.bind(created, properties.applicationId());
            self = host;
            stateDir = dir;
            streams = created;
            log.info(
                    "starting channel directory {} over {}{} (state in {}, serving as {}:{})",
                    properties.applicationId(),
                    events.name(),
                    mirrored.isEmpty() ? "" : " and the mirrors " + mirrored,
                    dir,
                    host.host(),
                    host.port());
            created.start();
        }
    }

    private Properties config(HostInfo host, String dir) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.putIfAbsent(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, properties.applicationId());
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir);
        config.put(StreamsConfig.APPLICATION_SERVER_CONFIG, host.host() + ":" + host.port());
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, properties.replicationFactor());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, properties.streamThreads());
        Properties props = new Properties();
        props.putAll(config);
        return props;
    }

    @Override
    public void stop() {
        KafkaStreams closing;
        synchronized (lifecycle) {
            closing = streams;
            if (closing == null) {
                return;
            }
            streams = null;
            metrics.unbind();
            client.close(closing, properties.closeTimeout(), ephemeralStateDir);
        }
    }

    @Override
    public boolean isRunning() {
        return streams != null;
    }

    /** Deletes this instance's local state; only while stopped. The next start restores from the changelogs. */
    void wipeLocalState() {
        synchronized (lifecycle) {
            if (streams != null) {
                throw new IllegalStateException("stop the directory before wiping its state");
            }
            if (stateDir != null) {
                FileSystemUtils.deleteRecursively(Path.of(stateDir).toFile());
            }
        }
    }

    /** The Streams state, or {@code null} while stopped. */
    KafkaStreams.State state() {
        KafkaStreams current = streams;
        return current == null ? null : current.state();
    }

    /** This instance as the other instances see it ({@code application.server}), or null before the first start. */
    HostInfo self() {
        return self;
    }

    String applicationId() {
        return properties.applicationId();
    }

    /** The instance and partition that hold {@code channel}. */
    KeyQueryMetadata ownerOf(String channel) {
        KeyQueryMetadata owner = running().queryMetadataForKey(DirectoryTopology.STATS_STORE, channel, keySerializer);
        if (owner == null
                || owner == KeyQueryMetadata.NOT_AVAILABLE
                || owner.activeHost() == null
                || owner.activeHost().equals(HostInfo.unavailable())) {
            throw new DirectoryUnavailableException("no instance owns channel '" + channel + "' right now");
        }
        return owner;
    }

    /** Every instance that owns some of the directory, this one included when it does. */
    Collection<HostInfo> hosts() {
        return running().streamsMetadataForStore(DirectoryTopology.STATS_STORE).stream()
                .map(StreamsMetadata::hostInfo)
                .toList();
    }

    /** Partitions of the events topic whose directory state this instance holds. */
    Set<Integer> localPartitions() {
        Set<Integer> partitions = new TreeSet<>();
        running()
                .metadataForLocalThreads()
                .forEach(thread -> thread.activeTasks().forEach(task -> {
                    for (TopicPartition partition : task.topicPartitions()) {
                        if (partition.topic().equals(events.name())) {
                            partitions.add(partition.partition());
                        }
                    }
                }));
        return partitions;
    }

    /** A reader over this instance's stores of one partition. */
    DirectoryReader reader(int partition) {
        KafkaStreams current = running();
        return new DirectoryReader(
                store(
                        current,
                        DirectoryTopology.STATS_STORE,
                        QueryableStoreTypes.<String, ChannelStats>keyValueStore(),
                        partition),
                store(
                        current,
                        DirectoryTopology.INDEX_STORE,
                        QueryableStoreTypes.<Bytes, byte[]>keyValueStore(),
                        partition),
                store(
                        current,
                        DirectoryTopology.RATE_STORE,
                        QueryableStoreTypes.<String, Long>windowStore(),
                        partition),
                store(
                        current,
                        DirectoryTopology.PROGRESS_STORE,
                        QueryableStoreTypes.<Integer, Long>keyValueStore(),
                        partition),
                properties.recentOffsets());
    }

    private static <T> T store(KafkaStreams streams, String name, QueryableStoreType<T> type, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, type).withPartition(partition));
    }

    private KafkaStreams running() {
        KafkaStreams current = streams;
        if (current == null) {
            throw new DirectoryUnavailableException("the channel directory is stopped");
        }
        KafkaStreams.State state = current.state();
        if (state != KafkaStreams.State.RUNNING) {
            throw new DirectoryUnavailableException(
                    "the channel directory is " + state.name().toLowerCase() + "; retry shortly");
        }
        return current;
    }
}
