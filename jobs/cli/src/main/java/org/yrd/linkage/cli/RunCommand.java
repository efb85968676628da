package org.yrd.linkage.cli;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.engine.LinkageJob;
import org.yrd.linkage.ident.IdentifierKey;
import org.yrd.linkage.live.KafkaIO;
import org.yrd.linkage.live.LiveJob;
import org.yrd.linkage.rules.RulePack;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./linkage run}: live mode on a local MiniCluster with RocksDB checkpoints. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the live job against a Kafka cluster (contracted topics in, per-province alert topics out).")
final class RunCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--group", description = "Consumer group (default: ${DEFAULT-VALUE}).")
    String group = EngineOptions.KAFKA_GROUP.defaultValue();

    @Option(names = "--start", description = "Where to start without state: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    EngineOptions.StartPosition start = EngineOptions.KAFKA_START.defaultValue();

    @Option(names = "--create-topics", description = "Create missing contracted topics first.")
    boolean createTopics;

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--checkpoint-interval", description = "Checkpoint interval, e.g. 10s or 1min (default: live mode's).")
    Duration checkpointInterval = LiveJob.liveDefaults().get(CheckpointingOptions.CHECKPOINTING_INTERVAL);

    @Option(names = "--checkpoint-dir", description = "Checkpoint directory (default: jobs/cli/target/checkpoints).")
    Path checkpointDir;

    @Option(names = "--rules", description = "Rule pack file (default: the built-in pack yrd-default).")
    Path rules;

    @Option(names = "--key-file", paramLabel = "FILE", description = "The deployment's secret identifier key (at least 32 bytes); see deploy/k8s/README.md.")
    Path keyFile;

    @Option(names = "--dev-key", description = "Use the published development identifier key instead: never for real data.")
    boolean devKey;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set an engine or Flink option.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (parallelism < 1 || parallelism > 64) {
            return Cli.fail("--parallelism must be between 1 and 64, not " + parallelism);
        }
        RulePack pack;
        try {
            pack = RulesCommand.load(rules);
        } catch (RulesCommand.UsableException e) {
            return Cli.fail(e.getMessage());
        }
        Configuration conf = configuration();
        try {
            EngineOptions.validate(conf);
        } catch (IllegalArgumentException e) {
            return Cli.fail(e.getMessage());
        }
        try {
            LinkageJob.requireIdentifierKey(conf);
        } catch (IllegalArgumentException e) {
            return Cli.fail(e.getMessage() + " (--key-file FILE or --dev-key)");
        }
        String file = conf.get(EngineOptions.IDENTIFIER_KEY_FILE);
        try {
            if (file != null) {
                IdentifierKey.load(Path.of(file)); // read here too: a bad file stops a local run at once, not its tasks in a restart loop
            }
        } catch (IllegalArgumentException e) {
            return Cli.fail(e.getMessage());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        List<String> created = LiveJob.prepare(env, conf, pack);
        if (!created.isEmpty()) {
            System.err.println("linkage: created topics " + String.join(", ", created));
        }
        System.err.println("linkage: live job running against " + kafka.bootstrap + "; Ctrl-C stops it");
        try {
            env.execute(LiveJob.JOB_NAME);
        } catch (Exception e) {
            // a topic deleted under the job shows in the failure only as a timeout of some record
            List<String> missing = KafkaIO.missingTopics(conf, KafkaIO.clientProperties(conf));
            if (missing.isEmpty()) {
                throw e;
            }
            System.err.println("linkage: the live job failed: Kafka topic " + String.join(", ", missing)
                    + (missing.size() == 1 ? " does" : " do") + " not exist (deleted under the running job?): " + LinkageCli.rootCause(e));
            return CommandLine.ExitCode.SOFTWARE;
        }
        return 0;
    }

    Configuration configuration() {
        Configuration user = new Configuration();
        user.set(EngineOptions.KAFKA_BOOTSTRAP, kafka.bootstrap);
        user.set(EngineOptions.KAFKA_GROUP, group);
        user.set(EngineOptions.KAFKA_START, start);
        user.set(EngineOptions.TOPIC_PREFIX, kafka.prefix);
        user.set(EngineOptions.KAFKA_CREATE_TOPICS, createTopics);
        if (keyFile != null) {
            user.set(EngineOptions.IDENTIFIER_KEY_FILE, keyFile.toAbsolutePath().toString());
        }
        if (devKey) {
            user.set(EngineOptions.IDENTIFIER_DEV_KEY, true);
        }
        kafka.kafka.forEach((k, v) -> user.setString(EngineOptions.KAFKA_PROPERTIES_PREFIX + k, v));
        user.setString("parallelism.default", Integer.toString(parallelism));
        user.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        Path dir = checkpointDir != null ? checkpointDir : Cli.home().resolve("jobs/cli/target/checkpoints");
        user.setString("execution.checkpointing.dir", dir.toAbsolutePath().toUri().toString());
        user.setString("rest.bind-address", "127.0.0.1");
        user.setString("rest.port", "8081");
        user.addAll(Configuration.fromMap(settings));
        return LiveJob.withLocalClusterDefaults(user);
    }
}
