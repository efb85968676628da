package org.yrd.linkage.live;

import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.runtime.RocksDbDefaults;
import org.yrd.linkage.engine.LinkageJob;
import org.yrd.linkage.region.Region;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Live mode: the job graph between Kafka topics. {@link #main} is the entry point of the job jar
 * submitted to a Flink cluster; {@code ./linkage run} and the demo build the same job on a local
 * MiniCluster.
 *
 * <p>Arguments of {@code main} are {@code key=value} engine or Flink options (the same as
 * {@code --set}), e.g. {@code linkage.kafka.bootstrap-servers=kafka:9092}; options of the
 * cluster's own configuration apply too. With {@code linkage.dry-run=true} it checks the jar on
 * the classpath it runs on instead of running ({@link #dryRun}).
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
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Configuration effective = configure(env);
        EngineOptions.validate(effective);
        RulePack pack = effective.getOptional(EngineOptions.RULES_FILE).map(f -> {
            try {
                return RulePackFile.load(Path.of(f));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the rule pack " + f, e);
            }
        }).orElse(RulePack.defaults());
        if (effective.get(EngineOptions.DRY_RUN)) {
            System.out.println(dryRun(env, effective, pack));
            return;
        }
        prepare(env, effective, pack);
        env.execute(JOB_NAME);
    }

    /**
     * What {@link EngineOptions#DRY_RUN} checks where it runs, so that a job jar that lacks a class the
     * cluster does not provide fails here and not on the first rule pack an analyst publishes: the pack
     * reads back from the YAML form in which packs arrive on the rules topic, the region data loads,
     * and the live job graph builds, its operators serialised as for a submission. Contacts nothing.
     *
     * @return one line saying what was checked
     */
    static String dryRun(StreamExecutionEnvironment env, ReadableConfig conf, RulePack pack) throws Exception {
        LinkageJob.requireIdentifierKey(conf);
        RulePack readBack = RulePackFile.parse("dry run", RulePackFile.toYaml(pack));
        int cities = Region.get().cities().size();
        build(env, conf, KafkaIO.clientProperties(conf), pack);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        int operators = 0;
        for (JobVertex v : graph.getVertices()) {
            operators += v.getOperatorIDs().size();
        }
        return String.format(Locale.ROOT, "dry run: rule pack %s version %s, %d cities, job graph of %d tasks (%d operators); nothing submitted",
                readBack.id(), readBack.version(), cities, graph.getNumberOfVertices(), operators);
    }

    /**
     * What live mode needs unless the configuration says otherwise: speculative alerts, watermarks
     * that follow the wall clock through quiet periods, RocksDB with incremental checkpoints every
     * 10 s, the engine's {@link RocksDbDefaults}, no Kryo. Each applies only where {@code given}
     * sets nothing.
     *
     * <p>Buffers are flushed after every record (buffer timeout 0): an alert never waits in a
     * network buffer, and no task keeps an output-flusher thread. With a 5 ms timeout each of the
     * ~120 record writers of the graph had a thread waking 200 times a second, which was most of
     * what an idle job cost (BENCHMARKS.md, "Idle"); past ingestion only a few hundred records a
     * second flow, and the sources' edges cost little per flush. RocksDB uploads a checkpoint's
     * files with one thread per state backend instead of four: an incremental checkpoint of this
     * job's state is a few small files. Watermarks go out every second rather than every 200 ms:
     * a quiet stream's watermark follows the wall clock, and each step moves the whole graph's
     * event time; alerts do not wait for it, and a deadline fires at most 0.8 s later, against
     * the 5-minute out-of-orderness bound it already waits for.
     */
    public static Configuration liveDefaults() {
        Configuration d = new Configuration();
        d.set(EngineOptions.SPECULATIVE, true);
        d.set(EngineOptions.CLOCK_ADVANCE, true);
        d.set(EngineOptions.IDLE_WHEN_QUIET, true);
        d.set(PipelineOptions.OBJECT_REUSE, true);
        d.set(PipelineOptions.GENERIC_TYPES, false);
        d.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ZERO);
        d.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(10));
        d.set(StateBackendOptions.STATE_BACKEND, StateBackendLoader.ROCKSDB_STATE_BACKEND_NAME);
        d.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        d.set(RocksDBOptions.CHECKPOINT_TRANSFER_THREAD_NUM, 1);
        d.set(EngineOptions.WATERMARK_INTERVAL, Duration.ofSeconds(1));
        d.addAll(RocksDbDefaults.get());
        return d;
    }

    /**
     * Applies {@link #liveDefaults()} to {@code env} where its configuration (the cluster's
     * config.yaml, {@code -D}, the FlinkDeployment, and the job's arguments) sets nothing, and
     * returns the configuration the job then runs with.
     */
    public static Configuration configure(StreamExecutionEnvironment env) {
        Configuration effective = withLiveDefaults(env.getConfiguration());
        env.configure(effective);
        return effective;
    }

    /** {@code given} with {@link #liveDefaults()} for every key it does not set. */
    public static Configuration withLiveDefaults(ReadableConfig given) {
        Configuration merged = liveDefaults();
        merged.addAll(Configuration.fromMap(given.toMap()));
        return merged;
    }

    /**
     * {@link #withLiveDefaults} for a MiniCluster in this JVM ({@code ./linkage run}, the demo, the
     * benchmarks), plus what a cluster's own configuration sets for its TaskManagers: the
     * changelog state backend, its log kept beside the checkpoints
     * ({@code <checkpoint dir>/changelog}). Each applies only where {@code given} sets nothing;
     * without a checkpoint directory there is no durable place for the log, and it stays off (a
     * changelog switched on by hand without one is refused: Flink would keep it in memory).
     *
     * <p>Why the changelog: with RocksDB alone, every checkpoint flushes the memtables of each
     * keyed task in its synchronous phase (100-190 ms a task on two cores), and an alert behind
     * the barrier waits for it at each rule and at escalation: that was the live p99
     * (BENCHMARKS.md, "Live latency"). With the changelog a checkpoint only closes a log already
     * written, and RocksDB is snapshotted on its own schedule
     * ({@code state.changelog.periodic-materialize.interval}, 10 min by default, each task at its
     * own random offset). The log's storage is a TaskManager setting in Flink (it is read from the
     * TaskManager's configuration, not the job's), so on a real cluster it belongs in config.yaml
     * or the FlinkDeployment, as in {@code deploy/}; there the job's own defaults leave it alone.
     */
    public static Configuration withLocalClusterDefaults(ReadableConfig given) {
        Configuration merged = withLiveDefaults(given);
        String checkpoints = merged.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        if (!merged.contains(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)) {
            merged.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, checkpoints != null);
        }
        if (!merged.get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)) {
            return merged;
        }
        if (!merged.contains(FsStateChangelogOptions.BASE_PATH)) {
            if (checkpoints == null) {
                throw new IllegalArgumentException(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG.key() + " needs "
                        + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key() + " or " + FsStateChangelogOptions.BASE_PATH.key() + " for its log");
            }
            merged.set(FsStateChangelogOptions.BASE_PATH, checkpoints.replaceAll("/+$", "") + "/changelog");
        }
        // also when switched on by hand: Flink's own default storage keeps the log in memory
        if (!merged.contains(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE)) {
            merged.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
        }
        return merged;
    }

    /**
     * Refuses to start without an identifier key; creates the topics if asked; refuses to start
     * when a topic is missing or may not be used ({@link KafkaIO#checkTopics}); adds the live job to
     * {@code env}.
     */
    public static List<String> prepare(StreamExecutionEnvironment env, ReadableConfig conf, RulePack pack) throws Exception {
        LinkageJob.requireIdentifierKey(conf);
        Properties props = KafkaIO.clientProperties(conf);
        List<String> created = conf.get(EngineOptions.KAFKA_CREATE_TOPICS) ? KafkaIO.createTopics(conf, props) : List.of();
        KafkaIO.checkTopics(conf, props);
        build(env, conf, props, pack);
        return created;
    }

    /** Adds the live job to {@code env}, its sources and sinks on the brokers of {@code props}; contacts nothing. */
    static void build(StreamExecutionEnvironment env, ReadableConfig conf, Properties props, RulePack pack) {
        LinkageJob.build(KafkaIO.sources(env, conf, props), KafkaIO.ruleUpdates(env, conf, props), KafkaIO.sinks(conf, props), pack, conf);
    }
}
