package org.yrd.linkage.ident;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.yrd.linkage.model.IdentifierType.BANK_ACCOUNT;
import static org.yrd.linkage.model.IdentifierType.IM_ACCOUNT;
import static org.yrd.linkage.model.IdentifierType.PAYMENT_ACCOUNT;
import static org.yrd.linkage.model.IdentifierType.PHONE;

/** Keyed identifier digests (contracts/README.md, "Normalised identifiers") and where their keys come from. */
class IdentifierKeyTest {

    private static final byte[] KEY_A = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_B = "0123456789abcdef0123456789abcdeF".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    // --- the digest

    @Test
    void developmentKeyDigestIsPinnedAcrossRunsAndImplementations() {
        // python3: hmac.new(PUBLISHED_DEVELOPMENT_KEY, b"PAYMENT_ACCOUNT:alipay_5345780831", sha256).hexdigest()[:32]
        assertThat(IdentifierKey.development().digest(PAYMENT_ACCOUNT, "alipay_5345780831"))
                .isEqualTo("192a42f77a247d5ac3e44a4a709e3c14");
        assertThat(IdentifierKey.development().digest(PHONE, "13912345678")).isEqualTo("8aa8046ffd86af97cb09d59af0c1471f");
    }

    @Test
    void digestIsThirtyTwoLowerCaseHexDigitsOfTheUtf8Input() {
        // python3: the same over "IM_ACCOUNT:客服".encode("utf-8")
        assertThat(IdentifierKey.development().digest(IM_ACCOUNT, "客服"))
                .isEqualTo("0e4f5a6a0631e04202332d5084c5e156")
                .matches("[0-9a-f]{32}");
    }

    @Test
    void sameKeyAndSameNormalisedValueGiveTheSameDigest() throws Exception {
        IdentifierKey a = IdentifierKey.load(file("a", KEY_A));
        IdentifierKey again = IdentifierKey.load(file("a-again", KEY_A));
        String normalised = Identifiers.normalise(PHONE, "+86 139-1234-5678");
        assertThat(a.digest(PHONE, normalised))
                .isEqualTo(a.digest(PHONE, Identifiers.normalise(PHONE, "139 1234 5678")))
                .isEqualTo(again.digest(PHONE, normalised));
    }

    @Test
    void differentKeysGiveDifferentDigests() throws Exception {
        IdentifierKey a = IdentifierKey.load(file("a", KEY_A));
        IdentifierKey b = IdentifierKey.load(file("b", KEY_B));
        assertThat(a.digest(PHONE, "13912345678"))
                .isNotEqualTo(b.digest(PHONE, "13912345678"))
                .isNotEqualTo(IdentifierKey.development().digest(PHONE, "13912345678"));
    }

    @Test
    void differentNormalisedFormsGiveDifferentDigests() {
        IdentifierKey k = IdentifierKey.development();
        assertThat(k.digest(PHONE, "13912345678")).isNotEqualTo(k.digest(PHONE, "13912345679"));
    }

    @Test
    void typeIsPartOfTheInputSoSameDigitsOfTwoTypesDiffer() {
        IdentifierKey k = IdentifierKey.development();
        assertThat(k.digest(PHONE, "13912345678")).isNotEqualTo(k.digest(BANK_ACCOUNT, "13912345678"));
        assertThat(k.digest(BANK_ACCOUNT, "13912345678")).isEqualTo("d9d8450a607084482dae1aa3bf9311f7");
    }

    @Test
    void digestIsNotTheOldUnkeyedSha256Prefix() throws Exception {
        String unkeyed = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("alipay_5345780831".getBytes(StandardCharsets.UTF_8)), 0, 16);
        String unkeyedWithType = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("PAYMENT_ACCOUNT:alipay_5345780831".getBytes(StandardCharsets.UTF_8)), 0, 16);
        assertThat(unkeyed).isEqualTo("5692aefb4d1b648f476257822ce526d5");
        String keyed = IdentifierKey.development().digest(PAYMENT_ACCOUNT, "alipay_5345780831");
        assertThat(keyed).isNotEqualTo(unkeyed).isNotEqualTo(unkeyedWithType).doesNotStartWith("5692aefb4d1b");
    }

    @Test
    void loneSurrogateDoesNotShareADigestWithAQuestionMark() {
        // JSON lets a report spell "abc\ud800defgh"; its normalised form differs from "abc?defgh", so the
        // two must not match (contracts/README.md: match when type and normalised form are equal)
        IdentifierKey k = IdentifierKey.development();
        assertThat(k.digest(IM_ACCOUNT, "abc\uD800defgh")).isNotEqualTo(k.digest(IM_ACCOUNT, "abc?defgh"));
        assertThat(k.digest(IM_ACCOUNT, "abc\uD800defgh")).isNotEqualTo(k.digest(IM_ACCOUNT, "abc\uDBFFdefgh"));
    }

    @Test
    void threadsDigestingAtOnceAgreeWithOneThread() throws Exception {
        IdentifierKey k = IdentifierKey.load(file("a", KEY_A));
        List<String> want = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            want.add(k.digest(PHONE, "139" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit((Callable<List<String>>) () -> {
                    List<String> got = new ArrayList<>();
                    for (int i = 0; i < 2000; i++) {
                        got.add(k.digest(PHONE, "139" + i));
                    }
                    return got;
                }));
            }
            for (Future<List<String>> r : results) {
                assertThat(r.get()).isEqualTo(want);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // --- the key file

    @Test
    void keyFileWithATrailingLineBreakIsTheSameKeyAsWithout() throws Exception {
        String text = Base64.getEncoder().encodeToString(KEY_A);
        IdentifierKey plain = IdentifierKey.load(file("plain", text.getBytes(StandardCharsets.US_ASCII)));
        IdentifierKey lf = IdentifierKey.load(file("lf", (text + "\n").getBytes(StandardCharsets.US_ASCII)));
        IdentifierKey crlf = IdentifierKey.load(file("crlf", (text + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        assertThat(lf.digest(PHONE, "13912345678"))
                .isEqualTo(plain.digest(PHONE, "13912345678"))
                .isEqualTo(crlf.digest(PHONE, "13912345678"));
    }

    @Test
    void keyFileOfExactlyThirtyTwoBytesIsAccepted() throws Exception {
        assertThat(IdentifierKey.load(file("k", KEY_A)).digest(PHONE, "13912345678")).hasSize(32);
    }

    @Test
    void keyFileShorterThanThirtyTwoBytesIsRefusedWithAOneLineMessage() throws Exception {
        Path f = file("short", "0123456789abcdef0123456789abcde\n".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> IdentifierKey.load(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identifier key file " + f + " holds 31 bytes besides its final line break; "
                        + "a key needs at least 32 (e.g. head -c 32 /dev/urandom | base64 > key)");
    }

    @Test
    void emptyKeyFileIsRefused() throws Exception {
        Path f = file("empty", new byte[0]);
        assertThatThrownBy(() -> IdentifierKey.load(f)).hasMessageContaining("holds 0 bytes").hasMessageContaining("at least 32");
    }

    @Test
    void missingKeyFileIsRefusedWithAOneLineMessageNamingIt() {
        Path f = dir.resolve("no-such-key");
        assertThatThrownBy(() -> IdentifierKey.load(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identifier key file " + f + " cannot be read (NoSuchFileException)");
    }

    @Test
    void keyFileFarLongerThanAKeyIsRefusedAsTheWrongFile() throws Exception {
        Path f = file("big", new byte[IdentifierKey.MAX_BYTES + 1]);
        assertThatThrownBy(() -> IdentifierKey.load(f)).hasMessageContaining("is it the right file?");
    }

    @Test
    void keyFileHoldingThePublishedDevelopmentKeyIsRefused() throws Exception {
        Path f = file("dev", (IdentifierKey.PUBLISHED_DEVELOPMENT_KEY + "\n").getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> IdentifierKey.load(f)).hasMessageContaining("published development key");
    }

    @Test
    void toStringNamesTheSourceButNoKeyMaterial() throws Exception {
        Path f = file("a", KEY_A);
        String shown = IdentifierKey.load(f).toString();
        assertThat(shown).isEqualTo("IdentifierKey(file " + f + ")")
                .doesNotContain(new String(KEY_A, StandardCharsets.US_ASCII))
                .doesNotContain(HexFormat.of().formatHex(KEY_A))
                .doesNotContain(Base64.getEncoder().encodeToString(KEY_A));
        assertThat(IdentifierKey.development().toString())
                .isEqualTo("IdentifierKey(the published development key)")
                .doesNotContain(IdentifierKey.PUBLISHED_DEVELOPMENT_KEY);
    }

    @Test
    void developmentKeyIsLongEnoughToBeAKey() {
        assertThat(IdentifierKey.PUBLISHED_DEVELOPMENT_KEY.getBytes(StandardCharsets.US_ASCII).length)
                .isGreaterThanOrEqualTo(IdentifierKey.MIN_BYTES);
    }
}
