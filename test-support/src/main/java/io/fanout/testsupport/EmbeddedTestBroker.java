package io.fanout.testsupport;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** A real KRaft broker inside the test JVM (spring-kafka-test's {@link EmbeddedKafkaKraftBroker}); needs no Docker. */
final class EmbeddedTestBroker implements TestBroker {

    private final EmbeddedKafkaKraftBroker broker;

    EmbeddedTestBroker() {
        EmbeddedKafkaKraftBroker started = new EmbeddedKafkaKraftBroker(1, 1);
        started.brokerProperties(SETTINGS);
        started.afterPropertiesSet();
        this.broker = started;
    }

    EmbeddedKafkaKraftBroker broker() {
        return broker;
    }

    @Override
    public String bootstrapServers() {
        return broker.getBrokersAsString();
    }

    @Override
    public void createTopic(String name, int partitions) {
        broker.addTopics(new NewTopic(name, partitions, (short) 1));
    }

    @Override
    public void stop() {
        broker.destroy();
    }
}
