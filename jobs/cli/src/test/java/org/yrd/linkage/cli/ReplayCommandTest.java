package org.yrd.linkage.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.yrd.linkage.testing.Project;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The replay command line of contracts/README.md: exit codes, one-line messages, nothing written on error. */
class ReplayCommandTest {

    @TempDir
    Path tmp;

    @RegisterExtension
    final CapturedStderr err = new CapturedStderr();

    private String stderr() {
        return err.text();
    }

    @Test
    void missingInputDirectoryExitsTwoWithOneLineNamingIt() {
        Path out = tmp.resolve("out");
        assertThat(LinkageCli.run("replay", "--in", "/missing", "--out", out.toString())).isEqualTo(2);
        assertThat(stderr()).isEqualTo("linkage: --in /missing is not a readable directory" + System.lineSeparator());
        assertThat(out).doesNotExist();
    }

    @Test
    void directoryWithoutInputFilesExitsTwo() {
        assertThat(LinkageCli.run("replay", "--in", tmp.toString(), "--out", tmp.resolve("out").toString())).isEqualTo(2);
        assertThat(stderr()).contains("holds none of sensor-readings.jsonl");
    }

    @Test
    void unusableArgumentsExitTwo() {
        assertThat(LinkageCli.run("replay", "--in", tmp.toString())).isEqualTo(2);
        assertThat(LinkageCli.run("replay", "--in", tmp.toString(), "--out", "x", "--parallelism", "zero")).isEqualTo(2);
        assertThat(LinkageCli.run("replay", "--bogus")).isEqualTo(2);
    }

    @Test
    void outputPathThatIsAFileExitsTwo() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThat(LinkageCli.run("replay", "--in", Project.example("small").resolve("in").toString(), "--out", file.toString())).isEqualTo(2);
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void replayOfTheWorkedExampleExitsZeroAndWritesBothFiles() {
        Path out = tmp.resolve("out");
        assertThat(LinkageCli.run("replay", "--in", Project.example("small").resolve("in").toString(), "--out", out.toString(),
                "--parallelism", "2")).isEqualTo(0);
        assertThat(out.resolve("alerts.jsonl")).isNotEmptyFile();
        assertThat(out.resolve("deadletter.jsonl")).isNotEmptyFile();
        assertThat(stderr()).as("a small input keeps its state on the heap, and the command says so and why")
                .containsPattern("replay: state on the heap \\([0-9,]+ MiB of input, [0-9,]+ MiB of heap; --set state.backend.type=hashmap or rocksdb decides\\)");
    }

    @Test
    void aStateBackendGivenWithSetIsTheOneUsed() {
        Path out = tmp.resolve("out");
        assertThat(LinkageCli.run("replay", "--in", Project.example("small").resolve("in").toString(), "--out", out.toString(),
                "--set", "state.backend.type=rocksdb")).isEqualTo(0);
        assertThat(stderr()).contains("replay: state in RocksDB, timers on the heap (as --set said)");
        assertThat(out.resolve("alerts.jsonl")).isNotEmptyFile();
    }
}
