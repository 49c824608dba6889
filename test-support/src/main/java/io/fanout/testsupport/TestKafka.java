package io.fanout.testsupport;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * One real in-process KRaft broker per test JVM, started on first use and stopped when the JVM exits.
 * Tests take a fresh topic each ({@link #newTopic}) so they never see one another's records.
 */
public final class TestKafka {

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static EmbeddedKafkaKraftBroker broker;

    private TestKafka() {
    }

    /** The broker's bootstrap servers, starting it if needed. */
    public static synchronized String bootstrapServers() {
        if (broker == null) {
            EmbeddedKafkaKraftBroker started = new EmbeddedKafkaKraftBroker(1, 1);
            started.brokerProperties(Map.of(
                    "offsets.topic.num.partitions", "3",
                    "group.initial.rebalance.delay.ms", "0",
                    "transaction.state.log.num.partitions", "3",
                    // one broker: without these, transactional producers (Streams exactly_once_v2) wait
                    // forever for a __transaction_state topic with the default replication factor 3
                    "transaction.state.log.replication.factor", "1",
                    "transaction.state.log.min.isr", "1",
                    "auto.create.topics.enable", "false",
                    "log.message.timestamp.type", "CreateTime"));
            started.afterPropertiesSet();
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroy, "test-kafka-stop"));
            broker = started;
        }
        return broker.getBrokersAsString();
    }

    /** Creates a topic with a name no other test uses and returns the name. */
    public static String newTopic(String prefix, int partitions) {
        String name = prefix + "." + TOPICS.incrementAndGet() + "." + System.nanoTime();
        createTopic(name, partitions);
        return name;
    }

    /** Creates {@code name} with {@code partitions} partitions, replication 1. */
    public static void createTopic(String name, int partitions) {
        bootstrapServers();
        broker.addTopics(new NewTopic(name, partitions, (short) 1));
    }

    /** The running broker, for tests that need its admin or cluster handle. */
    public static EmbeddedKafkaKraftBroker broker() {
        bootstrapServers();
        return broker;
    }
}
