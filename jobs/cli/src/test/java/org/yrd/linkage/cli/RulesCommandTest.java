package org.yrd.linkage.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yrd.linkage.testing.PatternCases;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./linkage rules validate} on packs with patterns: a valid one is counted, a broken one is located. */
class RulesCommandTest {

    @TempDir
    Path tmp;

    private static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = LinkageCli.run(args);
            return new String[] {Integer.toString(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void validPackWithPatternsIsCountedAndABrokenPatternIsLocated() throws Exception {
        String[] ok = run("rules", "validate", PatternCases.examplePackFile().toString());
        assertThat(ok[0]).isEqualTo("0");
        assertThat(ok[1]).contains("valid, pack yrd-patterns version 1, 3 patterns");

        Path broken = tmp.resolve("broken.yaml");
        Files.writeString(broken, Files.readString(PatternCases.examplePackFile()).replace("within: 10m", "within: 10 minutes"));
        String[] bad = run("rules", "validate", broken.toString());
        assertThat(bad[0]).isEqualTo("2");
        assertThat(bad[2]).containsPattern("broken\\.yaml:[0-9]+ patterns\\.PAT-INVESTMENT-WAVE\\.within: '10 minutes' is not a"
                + " duration; write 10m");
    }
}
