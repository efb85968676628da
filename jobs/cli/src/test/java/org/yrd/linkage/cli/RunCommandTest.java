package org.yrd.linkage.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./linkage run} refuses, before anything starts, to run without a usable identifier key. */
class RunCommandTest {

    @TempDir
    Path tmp;

    @RegisterExtension
    final CapturedStderr err = new CapturedStderr();

    @Test
    void runWithoutKeyFileOrDevKeyExitsTwoWithOneLineNamingBoth() {
        assertThat(LinkageCli.run("run", "--bootstrap", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.text()).isEqualTo("linkage: no identifier key: set linkage.identifier.key-file "
                + "(the deployment's secret key file) or, for development only, linkage.identifier.dev-key: true "
                + "(the published development key) (--key-file FILE or --dev-key)" + System.lineSeparator());
    }

    @Test
    void runWithAKeyFileTooShortExitsTwoNamingTheFile() throws Exception {
        Path key = Files.writeString(tmp.resolve("key"), "short");
        assertThat(LinkageCli.run("run", "--bootstrap", "127.0.0.1:1", "--key-file", key.toString())).isEqualTo(2);
        assertThat(err.text()).startsWith("linkage: identifier key file " + key.toAbsolutePath() + " holds 5 bytes;");
    }

    @Test
    void runWithBothKeyFileAndDevKeyExitsTwo() throws Exception {
        Path key = Files.writeString(tmp.resolve("key"), "0123456789abcdef0123456789abcdef");
        assertThat(LinkageCli.run("run", "--bootstrap", "127.0.0.1:1", "--key-file", key.toString(), "--dev-key")).isEqualTo(2);
        assertThat(err.text()).contains("are both set");
    }
}
