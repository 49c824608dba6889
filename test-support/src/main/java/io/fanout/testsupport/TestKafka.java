package io.fanout.testsupport;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * One real Kafka broker per test JVM, started on first use and stopped when the JVM exits. Which one is decided
 * once ({@link TestBrokerChoice}) and said once in the test log: Testcontainers' Kafka when a Docker engine answers,
 * the in-process KRaft broker otherwise; {@code -Dfanout.test.kafka=embedded|testcontainers} (or the environment
 * variable {@code FANOUT_TEST_KAFKA}) forces either. Tests take a fresh topic each ({@link #newTopic}) so they
 * never see one another's records. Thread-safe.
 */
public final class TestKafka {

    private static final Logger log = LoggerFactory.getLogger(TestKafka.class);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static TestBroker broker;
    private static EmbeddedTestBroker second;

    private TestKafka() {}

    /** The broker's bootstrap servers, starting it if needed. */
    public static String bootstrapServers() {
        return running().bootstrapServers();
    }

    private static synchronized TestBroker running() {
        if (broker == null) {
            TestBrokerChoice choice = TestBrokerChoice.fromEnvironment();
            long start = System.nanoTime();
            TestBroker started = choice.kind() == TestBrokerChoice.Kind.TESTCONTAINERS
                    ? new ContainerTestBroker()
                    : new EmbeddedTestBroker();
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "test-kafka-stop"));
            log.info(
                    "test Kafka: {} ({}; -D{}=embedded|testcontainers forces one) at {}, started in {} ms",
                    choice.kind() == TestBrokerChoice.Kind.TESTCONTAINERS
                            ? "Testcontainers " + ContainerTestBroker.IMAGE
                            : "in-process KRaft broker",
                    choice.reason(),
                    TestBrokerChoice.PROPERTY,
                    started.bootstrapServers(),
                    (System.nanoTime() - start) / 1_000_000);
            broker = started;
        }
        return broker;
    }

    /**
     * The bootstrap servers of a second broker, a cluster of its own (always in-process), for tests of two regions;
     * started on first use, stopped when the JVM exits.
     */
    public static synchronized String secondBootstrapServers() {
        if (second == null) {
            long start = System.nanoTime();
            EmbeddedTestBroker started = new EmbeddedTestBroker();
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "test-kafka-second-stop"));
            log.info(
                    "second test Kafka: in-process KRaft broker at {}, started in {} ms",
                    started.bootstrapServers(),
                    (System.nanoTime() - start) / 1_000_000);
            second = started;
        }
        return second.bootstrapServers();
    }

    /** Creates {@code name} with {@code partitions} partitions, replication 1, on the second broker. */
    public static void createTopicOnSecond(String name, int partitions) {
        secondBootstrapServers();
        second.createTopic(name, partitions);
    }

    /** Creates a topic with a name no other test uses and returns the name. */
    public static String newTopic(String prefix, int partitions) {
        String name = prefix + "." + TOPICS.incrementAndGet() + "." + System.nanoTime();
        createTopic(name, partitions);
        return name;
    }

    /** Creates {@code name} with {@code partitions} partitions, replication 1. */
    public static void createTopic(String name, int partitions) {
        running().createTopic(name, partitions);
    }

    /** Runs {@code action} with an admin client of the broker (closed afterwards); works with either broker. */
    public static void withAdmin(Consumer<Admin> action) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            action.accept(admin);
        }
    }

    /** How many records {@code topic} has been given: the sum of its partitions' end offsets. */
    public static long endOffset(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
                    .sum();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the end offsets of " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the end offsets of " + topic, e);
        }
    }

    /**
     * The in-process broker, for tests that need its handle; prefer {@link #withAdmin}, which also works when the
     * broker runs in a container.
     *
     * @throws IllegalStateException when the broker runs in a container
     */
    public static EmbeddedKafkaKraftBroker broker() {
        if (running() instanceof EmbeddedTestBroker embedded) {
            return embedded.broker();
        }
        throw new IllegalStateException("the test broker runs in a container; use TestKafka.withAdmin, or force the "
                + "in-process one with -D" + TestBrokerChoice.PROPERTY + "=embedded");
    }
}
