package org.yrd.linkage.live;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.runtime.EngineOptions;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The live job's own defaults apply only where the cluster's configuration and the arguments set nothing. */
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
}
