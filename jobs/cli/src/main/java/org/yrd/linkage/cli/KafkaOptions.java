package org.yrd.linkage.cli;

import org.apache.kafka.clients.CommonClientConfigs;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.runtime.EngineOptions;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The Kafka options every command that talks to the broker shares ({@code run}, {@code feed},
 * {@code tail}, {@code audit}): where the broker is, the topic prefix and any client property
 * (SASL/SSL included). Defaults come from {@link EngineOptions}, so the command line and the
 * job agree.
 */
final class KafkaOptions {

    /** The demo's and the local scripts' broker. */
    static final String LOCAL_BOOTSTRAP = "127.0.0.1:9092";

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrap = LOCAL_BOOTSTRAP;

    @Option(names = "--topic-prefix", description = "Topic prefix (default: ${DEFAULT-VALUE}).")
    String prefix = EngineOptions.TOPIC_PREFIX.defaultValue();

    @Option(names = "--kafka", paramLabel = "KEY=VALUE", description = "Any Kafka client property, e.g. --kafka security.protocol=SASL_SSL.")
    Map<String, String> kafka = new LinkedHashMap<>();

    Topics topics() {
        return new Topics(prefix);
    }

    /** Client properties: every {@code --kafka} pair and the bootstrap servers. */
    Properties client() {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return p;
    }
}
