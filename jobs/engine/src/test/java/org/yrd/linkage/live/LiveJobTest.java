package org.yrd.linkage.live;

import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yrd.linkage.engine.LinkageJob;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EngineOptions;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The live job's own defaults apply only where the cluster's configuration and the arguments set
 * nothing; live mode refuses to start without an identifier key (contracts/README.md,
 * "Normalised identifiers"). No cluster, no broker.
 */
class LiveJobTest {

    @Test
    void aClustersCheckpointIntervalAndStateBackendWinOverTheJobsDefaults() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(60));
        cluster.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(cluster);

        Configuration effective = LiveJob.configure(env);

        assertThat(env.getCheckpointInterval()).isEqualTo(60_000);
        assertThat(effective.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
        assertThat(effective.get(EngineOptions.SPECULATIVE)).isTrue();
    }

    @Test
    void withoutAClusterSettingTheJobCheckpointsEveryTenSecondsIntoRocksDb() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());

        Configuration effective = LiveJob.configure(env);

        assertThat(env.getCheckpointInterval()).isEqualTo(10_000);
        assertThat(effective.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(effective.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
    }

    /** Also when switched on by hand: Flink's own default storage would keep the log in memory. */
    @ParameterizedTest(name = "switched on by hand: {0}")
    @ValueSource(booleans = {false, true})
    void onALocalClusterTheChangelogIsOnAndWritesBesideTheCheckpoints(boolean byHand) {
        Configuration user = new Configuration();
        user.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "file:///var/yrd/checkpoints/");
        if (byHand) {
            user.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
        }

        Configuration effective = LiveJob.withLocalClusterDefaults(user);

        assertThat(effective.get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)).isTrue();
        assertThat(effective.get(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE)).isEqualTo("filesystem");
        assertThat(effective.get(FsStateChangelogOptions.BASE_PATH)).isEqualTo("file:///var/yrd/checkpoints/changelog");
        assertThat(effective.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    }

    @Test
    void aStorageAndPathGivenForTheChangelogAreKept() {
        Configuration user = new Configuration();
        user.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "file:///var/yrd/checkpoints");
        user.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "memory");
        user.set(FsStateChangelogOptions.BASE_PATH, "file:///elsewhere/log");

        Configuration effective = LiveJob.withLocalClusterDefaults(user);

        assertThat(effective.get(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE)).isEqualTo("memory");
        assertThat(effective.get(FsStateChangelogOptions.BASE_PATH)).isEqualTo("file:///elsewhere/log");
    }

    @Test
    void aChangelogSwitchedOnWithNowhereToWriteItsLogIsRefusedNamingTheOptions() {
        Configuration user = new Configuration();
        user.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);

        assertThatThrownBy(() -> LiveJob.withLocalClusterDefaults(user))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("state.changelog.enabled needs execution.checkpointing.dir or state.changelog.dstl.dfs.base-path for its log");
    }

    @Test
    void theChangelogStaysOffWhenSwitchedOffOrWithNoCheckpointDirectoryForItsLog() {
        Configuration off = new Configuration();
        off.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "file:///var/yrd/checkpoints");
        off.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, false);
        Configuration noDir = new Configuration();

        assertThat(LiveJob.withLocalClusterDefaults(off).get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)).isFalse();
        assertThat(LiveJob.withLocalClusterDefaults(off).contains(FsStateChangelogOptions.BASE_PATH)).isFalse();
        assertThat(LiveJob.withLocalClusterDefaults(noDir).get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)).isFalse();
    }

    @Test
    void aJobOnARealClusterLeavesTheChangelogToTheClustersConfiguration() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());

        Configuration effective = LiveJob.configure(env);

        assertThat(effective.contains(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)).isFalse();
    }

    private static Configuration live(Configuration user) {
        user.set(EngineOptions.KAFKA_BOOTSTRAP, "127.0.0.1:1");
        return LiveJob.withLiveDefaults(user);
    }

    @Test
    void fraudReportsAndAcknowledgementsAreReadAndIngestedByOneSubtaskTheBusyStreamsAtTheJobsParallelism() throws Exception {
        Configuration conf = LiveJob.withLiveDefaults(new Configuration());
        conf.set(EngineOptions.KAFKA_BOOTSTRAP, "127.0.0.1:9");
        conf.set(EngineOptions.IDENTIFIER_DEV_KEY, true);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 3);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        LiveJob.build(env, conf, KafkaIO.clientProperties(conf), RulePack.defaults());

        Map<String, Integer> parallelism = new HashMap<>();
        for (JobVertex v : env.getStreamGraph().getJobGraph().getVertices()) {
            parallelism.put(v.getName(), v.getParallelism());
        }
        assertThat(parallelism).containsEntry("Source: kafka yrd.fraud-reports", 1)
                .containsEntry("ingest fraud-reports -> mask dead letters of failures", 1)
                .containsEntry("ingest alert-acks -> mask dead letters of failures", 1)
                .containsEntry("Source: kafka yrd.sensor-readings", 3)
                .containsEntry("ingest sensor-readings -> mask dead letters of failures", 3)
                .containsEntry("Source: kafka yrd.emergency-calls", 3)
                .containsEntry("ingest emergency-calls -> mask dead letters of failures", 3);
        assertThat(parallelism.entrySet()).filteredOn(e -> e.getKey().startsWith("Source: kafka yrd.alert-acks."))
                .singleElement().extracting(Map.Entry::getValue).isEqualTo(1);
    }

    @Test
    void liveModeWithoutKeyFileOrDevKeyRefusesToStartWithOneLineNamingBothOptions() {
        Configuration conf = live(new Configuration());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        assertThatThrownBy(() -> LiveJob.prepare(env, conf, RulePack.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no identifier key: set linkage.identifier.key-file (the deployment's secret key file) or, "
                        + "for development only, linkage.identifier.dev-key: true (the published development key)");
    }

    @Test
    void keyFileAndDevKeyTogetherAreRefused() {
        Configuration user = new Configuration();
        user.set(EngineOptions.IDENTIFIER_KEY_FILE, "/etc/yrd/identifier-key");
        user.set(EngineOptions.IDENTIFIER_DEV_KEY, true);
        assertThatThrownBy(() -> LinkageJob.requireIdentifierKey(live(user)))
                .hasMessage("linkage.identifier.key-file and linkage.identifier.dev-key: true are both set; set one (the key file for real data)");
    }

    @Test
    void eitherAKeyFileOrTheDevKeyAloneIsEnough() {
        Configuration file = new Configuration();
        file.setString("linkage.identifier.key-file", "/etc/yrd/identifier-key");
        assertThatCode(() -> LinkageJob.requireIdentifierKey(live(file))).doesNotThrowAnyException();
        Configuration dev = new Configuration();
        dev.setString("linkage.identifier.dev-key", "true");
        assertThatCode(() -> LinkageJob.requireIdentifierKey(live(dev))).doesNotThrowAnyException();
    }
}
