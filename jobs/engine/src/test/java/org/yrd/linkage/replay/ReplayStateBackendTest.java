package org.yrd.linkage.replay;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yrd.linkage.model.StreamKind;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which state backend replay picks: the one it is told, else the heap for inputs small beside the heap. */
class ReplayStateBackendTest {

    private static final long MIB = 1L << 20;

    @Test
    void inputsUpToAQuarterOfTheHeapKeepStateOnTheHeapLargerOnesInRocksDb() {
        assertThat(Replay.stateBackendFor(1024 * MIB, 4096 * MIB)).isEqualTo("hashmap");
        assertThat(Replay.stateBackendFor(1024 * MIB + 1, 4096 * MIB)).isEqualTo("rocksdb");
        assertThat(Replay.stateBackendFor(0, 4096 * MIB)).isEqualTo("hashmap");
    }

    @Test
    void aBackendTheConfigurationNamesWinsAndTheChoiceIsSaidInWords(@TempDir Path dir) throws Exception {
        Path sensors = Files.writeString(dir.resolve("sensor-readings.jsonl"), "{}\n");
        Map<StreamKind, Path> files = Map.of(StreamKind.SENSOR, sensors);

        Configuration chosen = Replay.withStateBackend(Replay.configuration(1, new Configuration()), files);
        assertThat(chosen.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
        assertThat(Replay.describeState(chosen)).isEqualTo("on the heap");

        Configuration told = new Configuration();
        told.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        Configuration kept = Replay.withStateBackend(Replay.configuration(1, told), files);
        assertThat(kept.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(Replay.describeState(kept)).isEqualTo("in RocksDB, timers on the heap");
    }
}
