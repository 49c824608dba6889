package io.fanout.testsupport;

import java.util.Map;

/**
 * A running test broker: where it listens, how to make a topic, how to stop it. {@link TestKafka} owns the one
 * instance of a test JVM; implementations need not be thread-safe beyond what {@code TestKafka}'s lock gives.
 */
interface TestBroker {

    /**
     * Broker settings every test broker gets, whichever kind: single-node replication for the internal topics, no
     * rebalance delay, no topics created by accident, producer timestamps kept.
     */
    Map<String, String> SETTINGS = Map.of(
            "offsets.topic.num.partitions", "3",
            "group.initial.rebalance.delay.ms", "0",
            "transaction.state.log.num.partitions", "3",
            // one broker: without these, transactional producers (Streams exactly_once_v2) wait
            // forever for a __transaction_state topic with the default replication factor 3
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "auto.create.topics.enable", "false",
            "log.message.timestamp.type", "CreateTime");

    String bootstrapServers();

    void createTopic(String name, int partitions);

    void stop();
}
