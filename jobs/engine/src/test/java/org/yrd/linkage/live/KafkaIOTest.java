package org.yrd.linkage.live;

import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.testing.KafkaBroker;

import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** What live mode asks a real broker (in-JVM) about its topics: which contracted topic is missing, to say why a job stopped. */
class KafkaIOTest {

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new KafkaBroker();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void missingTopicsNamesTheContractedTopicDeletedUnderTheJob() throws Exception {
        Configuration conf = new Configuration();
        conf.set(EngineOptions.KAFKA_BOOTSTRAP, broker.bootstrap());
        conf.set(EngineOptions.TOPIC_PREFIX, "deleted.");
        Properties props = KafkaIO.clientProperties(conf);
        assertThat(KafkaIO.missingTopics(conf, props)).contains("deleted.alerts.320000", "deleted.sensor-readings");

        KafkaIO.createTopics(conf, props);
        assertThat(KafkaIO.missingTopics(conf, props)).isEmpty();
        try (Admin admin = Admin.create(props)) {
            admin.deleteTopics(List.of("deleted.alerts.320000")).all().get();
        }
        // the deletion reaches the broker's metadata a moment after the controller took it
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> missing = KafkaIO.missingTopics(conf, props);
        while (missing.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            missing = KafkaIO.missingTopics(conf, props);
        }
        assertThat(missing).containsExactly("deleted.alerts.320000");
    }
}
