package org.yrd.linkage.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.yrd.linkage.live.LiveJob;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EngineOptions;

import java.util.Map;
import java.util.UUID;

/**
 * The live job on a local MiniCluster against a test broker, as {@code ./linkage run} starts it:
 * its own topic prefix (created), group and checkpoints, the development key, parallelism 2 and no
 * restarts, so that a failure ends the test instead of looping.
 */
public final class LiveJobs {

    private LiveJobs() {}

    /** Starts the live job; returns the client to cancel it. {@code options} override any setting. */
    public static JobClient start(KafkaBroker kafka, String prefix, RulePack pack, Map<String, String> options) throws Exception {
        Configuration user = new Configuration();
        user.set(EngineOptions.KAFKA_BOOTSTRAP, kafka.bootstrap());
        user.set(EngineOptions.TOPIC_PREFIX, prefix);
        user.set(EngineOptions.KAFKA_CREATE_TOPICS, true);
        user.set(EngineOptions.KAFKA_START, EngineOptions.StartPosition.EARLIEST);
        user.set(EngineOptions.KAFKA_GROUP, prefix + "engine");
        user.set(EngineOptions.IDENTIFIER_DEV_KEY, true);
        user.setString("parallelism.default", "2");
        user.setString("restart-strategy.type", "none");
        user.setString("execution.checkpointing.interval", "2 s");
        user.setString("execution.checkpointing.dir", "file://" + System.getProperty("java.io.tmpdir") + "/checkpoints-" + UUID.randomUUID());
        user.addAll(Configuration.fromMap(options));
        Configuration conf = LiveJob.withLocalClusterDefaults(user);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        LiveJob.prepare(env, conf, pack);
        return env.executeAsync(LiveJob.JOB_NAME);
    }
}
