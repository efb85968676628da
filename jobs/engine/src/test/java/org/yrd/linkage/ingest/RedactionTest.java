package org.yrd.linkage.ingest;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.model.DeadLetter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The raw text of a dead letter: masked before it is cut to 4096 characters, from at most
 * 4 x 4096 bytes, and never leaving readable the start of a number that the byte limit cut.
 */
class RedactionTest {

    private static final int READ = 4 * DeadLetter.MAX_RAW_CHARS;

    @Test
    void recordIsMaskedBeforeItIsCutSoTheCutKeepsOnlyMaskedText() {
        String record = "{\"note\":\"" + "13912345678, ".repeat(1_000) + "\"}";
        String raw = Redaction.raw(utf8(record));
        assertThat(raw).hasSize(DeadLetter.MAX_RAW_CHARS).startsWith("{\"note\":\"139****5678, 139****5678, ")
                .doesNotContainPattern("[0-9]{6}");
    }

    @Test
    void phoneNumberCutByTheByteLimitIsMaskedAsIfItWentOn() {
        // a long run shrinks to 11 characters, so the cut at byte 16384 falls inside the 4096 kept characters
        String before = "1".repeat(READ - 7) + "ab";
        String raw = Redaction.raw(utf8(before + "13912345678 and more"));
        assertThat(raw).isEqualTo("111****1111ab****");
    }

    @Test
    void fullWidthDigitSplitByTheByteLimitDoesNotEndTheRunBeforeTheCut() {
        String before = "1".repeat(READ - 2 - 5 * 3 - 2) + "ab";
        byte[] bytes = utf8(before + "１３９１２３４５６７８");
        assertThat(bytes[READ] & 0xC0).as("the limit falls inside a full-width digit").isEqualTo(0x80);
        String raw = Redaction.raw(bytes);
        assertThat(raw).isEqualTo("111****1111ab****");
    }

    @Test
    void runOfAHundredThousandDigitsIsMaskedWithoutOverflowingTheStack() {
        byte[] digits = new byte[100_000];
        Arrays.fill(digits, (byte) '7');
        assertThat(Redaction.raw(digits)).isEqualTo("777****");
    }

    @Test
    void cutAtFourThousandNinetySixCharactersDoesNotSplitASurrogatePair() {
        String raw = Redaction.raw(utf8("a".repeat(DeadLetter.MAX_RAW_CHARS - 1) + "😀 and more"));
        assertThat(raw).hasSize(DeadLetter.MAX_RAW_CHARS - 1);
    }

    @Test
    void shortRecordIsMaskedWhole() {
        assertThat(Redaction.raw(utf8("{\"value\":\"alipay_zhangsan\",\"n\":\"12345\"}")))
                .isEqualTo("{\"value\":\"ali****gsan\",\"n\":\"12345\"}");
    }

    @Test
    void deadLetterOfAFailureLeavesWithItsDetailAndRawTextMasked() {
        DeadLetter d = Redaction.failure(new DeadLetter(org.yrd.linkage.model.StreamKind.FRAUD, DeadLetter.Reason.SCHEMA,
                "internal error in CYB-LINK: java.lang.IllegalStateException: report 13912345678 names no case",
                "id 13912345678, ts 1782907200000", 5L, "fraud-reports.jsonl:3"));
        assertThat(d.detail()).isEqualTo("internal error in CYB-LINK: java.lang.IllegalStateException: report 139****5678 names no case");
        assertThat(d.raw()).isEqualTo("id 139****5678, ts 178****0000");
        assertThat(d.source()).isEqualTo("fraud-reports.jsonl:3");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
