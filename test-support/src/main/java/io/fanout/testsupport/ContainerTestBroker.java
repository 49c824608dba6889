package io.fanout.testsupport;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Kafka in a container (Testcontainers' {@link KafkaContainer}, the {@code apache/kafka} image at the version the
 * build's clients have), for machines with a Docker engine. Settings reach the broker as {@code KAFKA_*}
 * environment variables, which the image turns back into broker properties.
 */
final class ContainerTestBroker implements TestBroker {

    /** The image: the same Kafka version as the clients (Boot's kafka.version). */
    static final String IMAGE = "apache/kafka:" + kafkaVersion();

    private final KafkaContainer container;
    private final Admin admin;

    ContainerTestBroker() {
        KafkaContainer started = new KafkaContainer(IMAGE);
        SETTINGS.forEach((key, value) -> started.withEnv(environmentName(key), value));
        started.start();
        this.container = started;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, started.getBootstrapServers()));
    }

    /** {@code log.message.timestamp.type} becomes {@code KAFKA_LOG_MESSAGE_TIMESTAMP_TYPE}. */
    static String environmentName(String brokerProperty) {
        return "KAFKA_" + brokerProperty.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static String kafkaVersion() {
        String version = org.apache.kafka.common.utils.AppInfoParser.getVersion();
        return version == null || version.equals("unknown") ? "latest" : version;
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public void createTopic(String name, int partitions) {
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
    }

    @Override
    public void stop() {
        admin.close();
        container.stop();
    }
}
