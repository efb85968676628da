package org.yrd.linkage.console;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sign-in tokens from a file or a mounted Kubernetes Secret, and what is refused, in one line each. */
class TokensTest {

    @Test
    void aFileNamesAPrincipalATokenAndAnOptionalOperatorPerLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tokens.txt");
        Files.writeString(f, "# duty officers\n\n320000 aaaaaaaaaaaaaaaa1 值班员 王\n320000 aaaaaaaaaaaaaaaa2\nYRD cccccccccccccccc\n");
        Tokens t = Tokens.load(f);
        assertThat(t.lookup("aaaaaaaaaaaaaaaa1")).contains(new Principal("320000", "值班员 王"));
        assertThat(t.lookup("aaaaaaaaaaaaaaaa2")).contains(new Principal("320000", "console 320000"));
        assertThat(t.lookup("cccccccccccccccc").orElseThrow().isCentre()).isTrue();
        assertThat(t.lookup("aaaaaaaaaaaaaaaa")).isEmpty();
        assertThat(t.lookup("")).isEmpty();
        assertThat(t.lookup(null)).isEmpty();
        assertThat(t.generated()).isEmpty();
    }

    @Test
    void aMountedSecretHasOneFilePerPrincipalAndItsHiddenEntriesAreIgnored(@TempDir Path dir) throws Exception {
        // what a Secret volume looks like: ..data and a timestamped directory beside the keys
        Path data = Files.createDirectory(dir.resolve("..2026_12_01_00_00_00.000000001"));
        Files.writeString(data.resolve("330000"), "zzzzzzzzzzzzzzzzzz\n");
        Files.createSymbolicLink(dir.resolve("..data"), data.getFileName());
        Files.createSymbolicLink(dir.resolve("330000"), Path.of("..data/330000"));
        Files.writeString(dir.resolve("YRD"), "yyyyyyyyyyyyyyyyyy 中心值班\n");
        Tokens t = Tokens.load(dir);
        assertThat(t.lookup("zzzzzzzzzzzzzzzzzz")).contains(new Principal("330000", "console 330000"));
        assertThat(t.lookup("yyyyyyyyyyyyyyyyyy")).contains(new Principal("YRD", "中心值班"));
    }

    @Test
    void unusableTokenFilesAreRefusedNamingFileLineAndProblem(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t");
        Files.writeString(f, "320000 aaaaaaaaaaaaaaaa1\n320001 bbbbbbbbbbbbbbbbbb\n");
        assertThatThrownBy(() -> Tokens.load(f)).hasMessage(f + ":2: '320001' is not one of 310000, 320000, 330000, 340000, YRD");
        Files.writeString(f, "320000 short\n");
        assertThatThrownBy(() -> Tokens.load(f)).hasMessage(f + ":1: the token of 320000 has 5 characters; at least 16 (e.g. head -c 18 /dev/urandom | base64)");
        Files.writeString(f, "320000 aaaaaaaaaaaaaaaa1\n330000 aaaaaaaaaaaaaaaa1\n");
        assertThatThrownBy(() -> Tokens.load(f)).hasMessage(f + ":2: this token is given twice (also to 320000); every token must be unique");
        Files.writeString(f, "320000\n");
        assertThatThrownBy(() -> Tokens.load(f)).hasMessage(f + ":1: expected '<310000|320000|330000|340000|YRD> <token> [operator]'");
        Files.writeString(f, "# nothing\n");
        assertThatThrownBy(() -> Tokens.load(f)).hasMessageStartingWith(f + ": no token");
    }

    @Test
    void randomTokensAreFreshForEachProvinceAndTheCentre() {
        Tokens a = Tokens.random();
        Tokens b = Tokens.random();
        assertThat(a.generated()).containsOnlyKeys("310000", "320000", "330000", "340000", "YRD");
        assertThat(a.generated().keySet()).containsExactly("310000", "320000", "330000", "340000", "YRD");
        a.generated().forEach((who, token) -> {
            assertThat(token).hasSizeGreaterThanOrEqualTo(Tokens.MIN_LENGTH);
            assertThat(a.lookup(token).orElseThrow().code()).isEqualTo(who);
            assertThat(b.lookup(token)).isEmpty();
        });
    }
}
