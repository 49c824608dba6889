package io.fanout.system;

import io.fanout.testsupport.TestKafka;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.mirror.MirrorMaker;

/**
 * Two regions on real brokers, for the tests that cross them: the test JVM's two in-process KRaft clusters, the events
 * topic created in both, MirrorMaker 2 between them in both directions (in-process, DefaultReplicationPolicy), and
 * both services of each region on random ports, region {@code r1} reading {@code r2.<topic>} and {@code r2} reading
 * {@code r1.<topic>}.
 */
final class TwoRegions implements AutoCloseable {

    private final String topic;
    private final MirrorMaker mirrorMaker;
    private final Platform region1;
    private final Platform region2;

    private TwoRegions(String topic, MirrorMaker mirrorMaker, Platform region1, Platform region2) {
        this.topic = topic;
        this.mirrorMaker = mirrorMaker;
        this.region1 = region1;
        this.region2 = region2;
    }

    /** Starts both regions on a new topic named {@code topicPrefix} plus a unique suffix. */
    static TwoRegions start(String topicPrefix, int partitions) {
        String topic = topicPrefix + "." + System.nanoTime();
        TestKafka.createTopic(topic, partitions);
        TestKafka.createTopicOnSecond(topic, partitions);
        MirrorMaker mirrorMaker = new MirrorMaker(mirrorMakerSettings(topic));
        mirrorMaker.start();
        Platform region1 = Platform.region(TestKafka.bootstrapServers(), topic, "r1", "r2");
        Platform region2 = Platform.region(TestKafka.secondBootstrapServers(), topic, "r2", "r1");
        return new TwoRegions(topic, mirrorMaker, region1, region2);
    }

    String topic() {
        return topic;
    }

    Platform region1() {
        return region1;
    }

    Platform region2() {
        return region2;
    }

    /** MirrorMaker 2 settings as an {@code mm2.properties} would hold them, with intervals for a test. */
    private static Map<String, String> mirrorMakerSettings(String topic) {
        Map<String, String> settings = new HashMap<>();
        settings.put("clusters", "r1, r2");
        settings.put("r1.bootstrap.servers", TestKafka.bootstrapServers());
        settings.put("r2.bootstrap.servers", TestKafka.secondBootstrapServers());
        settings.put("r1->r2.enabled", "true");
        settings.put("r2->r1.enabled", "true");
        settings.put("topics", topic.replace(".", "\\."));
        settings.put("groups", "none-at-all");
        settings.put("tasks.max", "1");
        settings.put("refresh.topics.interval.seconds", "1");
        settings.put("refresh.groups.interval.seconds", "600");
        settings.put("sync.topic.configs.enabled", "false");
        settings.put("sync.topic.acls.enabled", "false");
        settings.put("emit.heartbeats.enabled", "false");
        settings.put("sync.group.offsets.enabled", "false");
        settings.put("offset.flush.interval.ms", "1000");
        // as infra/kafka/mm2.properties: never copy what a sequencer's aborted transaction wrote
        settings.put("r1.consumer.isolation.level", "read_committed");
        settings.put("r2.consumer.isolation.level", "read_committed");
        for (String setting : List.of(
                "replication.factor",
                "checkpoints.topic.replication.factor",
                "heartbeats.topic.replication.factor",
                "offset-syncs.topic.replication.factor",
                "offset.storage.replication.factor",
                "status.storage.replication.factor",
                "config.storage.replication.factor")) {
            settings.put(setting, "1");
        }
        return settings;
    }

    @Override
    public void close() {
        region1.close();
        region2.close();
        mirrorMaker.stop();
    }
}
