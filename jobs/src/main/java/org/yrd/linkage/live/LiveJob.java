package org.yrd.linkage.live;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.yrd.linkage.engine.EngineOptions;
import org.yrd.linkage.engine.LinkageJob;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Live mode: the job graph between Kafka topics. {@link #main} is the entry point of the job jar
 * submitted to a Flink cluster; {@code ./linkage run} and the demo build the same job on a local
 * MiniCluster.
 *
 * <p>Arguments of {@code main} are {@code key=value} engine or Flink options (the same as
 * {@code --set}), e.g. {@code linkage.kafka.bootstrap-servers=kafka:9092}; options of the
 * cluster's own configuration apply too.
 */
public final class LiveJob {

    public static final String JOB_NAME = "yrd-linkage live";

    private LiveJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = new Configuration();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments are key=value options, not " + a);
            }
            conf.setString(a.substring(0, eq), a.substring(eq + 1));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(liveDefaults(conf));
        RulePack pack = conf.getOptional(EngineOptions.RULES_FILE).map(f -> {
            try {
                return RulePackFile.load(Path.of(f));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the rule pack " + f, e);
            }
        }).orElse(RulePack.defaults());
        prepare(env, env.getConfiguration() instanceof Configuration c ? c : conf, pack);
        env.execute(JOB_NAME);
    }

    /** The options live mode needs unless the user set them otherwise. */
    public static Configuration liveDefaults(Configuration user) {
        Configuration conf = new Configuration();
        conf.set(EngineOptions.SPECULATIVE, true);
        conf.set(EngineOptions.CLOCK_ADVANCE, true);
        conf.setString("pipeline.object-reuse", "true");
        conf.setString("pipeline.generic-types", "false");
        conf.setString("execution.buffer-timeout.interval", "5 ms");
        conf.setString("execution.checkpointing.interval", "10 s");
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("state.backend.incremental", "true");
        conf.addAll(user);
        return conf;
    }

    /** Refuses to start without an identifier key; creates the topics if asked, and adds the live job to {@code env}. */
    public static List<String> prepare(StreamExecutionEnvironment env, ReadableConfig conf, RulePack pack) throws Exception {
        LinkageJob.requireIdentifierKey(conf);
        Map<String, String> all = conf instanceof Configuration c ? c.toMap() : Map.of();
        Properties props = KafkaIO.clientProperties(conf, all);
        List<String> created = conf.get(EngineOptions.KAFKA_CREATE_TOPICS) ? KafkaIO.createTopics(conf, props) : List.of();
        LinkageJob.build(KafkaIO.sources(env, conf, props), KafkaIO.ruleUpdates(env, conf, props), KafkaIO.sinks(conf, props), pack, conf);
        return created;
    }
}
