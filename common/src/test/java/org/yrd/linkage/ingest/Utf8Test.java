package org.yrd.linkage.ingest;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The UTF-8 well-formedness check that runs before any record reaches the JSON parser. */
class Utf8Test {

    private static int firstInvalid(byte[] b) {
        return Utf8.firstInvalid(b, b.length);
    }

    /** "ab" followed by the given bytes, so that a bad sequence sits at offset 2. */
    private static byte[] afterAb(int... tail) {
        byte[] b = new byte[2 + tail.length];
        b[0] = 'a';
        b[1] = 'b';
        for (int i = 0; i < tail.length; i++) {
            b[2 + i] = (byte) tail[i];
        }
        return b;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    // --- well-formed input

    @Test
    void emptyInputIsWellFormed() {
        assertThat(firstInvalid(new byte[0])).isEqualTo(-1);
    }

    @Test
    void asciiJsonIsWellFormed() {
        assertThat(firstInvalid("{\"id\":\"s-1\",\"ts\":1783641142605}".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
    }

    @Test
    void chineseTextIsWellFormed() {
        assertThat(firstInvalid("{\"text\":\"南京市玄武区发生火灾，浓烟很大\"}".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    }

    @Test
    void fourByteEmojiIsWellFormed() {
        byte[] b = "水位 🌊 上涨 😱".getBytes(StandardCharsets.UTF_8);
        assertThat(b).contains((byte) 0xF0);
        assertThat(firstInvalid(b)).isEqualTo(-1);
    }

    @Test
    void boundaryCodePointsOfEachLengthAreWellFormed() {
        assertThat(firstInvalid(bytes(0x7F))).as("U+007F").isEqualTo(-1);
        assertThat(firstInvalid(bytes(0xC2, 0x80))).as("U+0080").isEqualTo(-1);
        assertThat(firstInvalid(bytes(0xDF, 0xBF))).as("U+07FF").isEqualTo(-1);
        assertThat(firstInvalid(bytes(0xE0, 0xA0, 0x80))).as("U+0800").isEqualTo(-1);
        assertThat(firstInvalid(bytes(0xED, 0x9F, 0xBF))).as("U+D7FF").isEqualTo(-1);
        assertThat(firstInvalid(bytes(0xEE, 0x80, 0x80))).as("U+E000").isEqualTo(-1);
        assertThat(firstInvalid(bytes(0xEF, 0xBF, 0xBF))).as("U+FFFF").isEqualTo(-1);
        assertThat(firstInvalid(bytes(0xF0, 0x90, 0x80, 0x80))).as("U+10000").isEqualTo(-1);
        assertThat(firstInvalid(bytes(0xF4, 0x8F, 0xBF, 0xBF))).as("U+10FFFF").isEqualTo(-1);
    }

    @Test
    void nulByteIsWellFormedUtf8() {
        // NUL is a valid code point; rejecting it is the JSON parser's job
        assertThat(firstInvalid(bytes('a', 0x00, 'b'))).isEqualTo(-1);
    }

    // --- overlong encodings

    @Test
    void overlongTwoByteSlashIsRejectedAtItsLeadByte() {
        assertThat(firstInvalid(afterAb(0xC0, 0xAF))).isEqualTo(2);
    }

    @Test
    void overlongTwoByteWithC1LeadIsRejected() {
        assertThat(firstInvalid(afterAb(0xC1, 0xBF))).isEqualTo(2);
    }

    @Test
    void overlongThreeByteEncodingsAreRejected() {
        assertThat(firstInvalid(afterAb(0xE0, 0x80, 0xAF))).as("U+002F in 3 bytes").isEqualTo(2);
        assertThat(firstInvalid(afterAb(0xE0, 0x9F, 0xBF))).as("U+07FF in 3 bytes").isEqualTo(2);
    }

    @Test
    void overlongFourByteEncodingsAreRejected() {
        assertThat(firstInvalid(afterAb(0xF0, 0x80, 0x80, 0xAF))).as("U+002F in 4 bytes").isEqualTo(2);
        assertThat(firstInvalid(afterAb(0xF0, 0x8F, 0xBF, 0xBF))).as("U+FFFF in 4 bytes").isEqualTo(2);
    }

    @Test
    void overlongNulIsRejected() {
        // the "modified UTF-8" NUL
        assertThat(firstInvalid(afterAb(0xC0, 0x80))).isEqualTo(2);
    }

    // --- continuation bytes out of place

    @Test
    void loneContinuationByteIsRejectedAtItsOffset() {
        assertThat(firstInvalid(afterAb(0x80, 'c'))).isEqualTo(2);
        assertThat(firstInvalid(afterAb(0xBF))).isEqualTo(2);
    }

    @Test
    void continuationByteAfterACompleteSequenceIsRejected() {
        byte[] b = "水".getBytes(StandardCharsets.UTF_8);
        byte[] extra = new byte[b.length + 1];
        System.arraycopy(b, 0, extra, 0, b.length);
        extra[b.length] = (byte) 0x80;
        assertThat(firstInvalid(extra)).isEqualTo(3);
    }

    @Test
    void sequenceInterruptedByAsciiIsRejectedAtItsLeadByte() {
        assertThat(firstInvalid(afterAb(0xE6, 'x', 0xB4))).isEqualTo(2);
        assertThat(firstInvalid(afterAb(0xE6, 0xB0, '"'))).isEqualTo(2);
    }

    @Test
    void sequenceInterruptedByANewLeadByteIsRejectedAtTheFirstLead() {
        assertThat(firstInvalid(afterAb(0xE6, 0xE6, 0xB0, 0xB4))).isEqualTo(2);
    }

    // --- truncated sequences

    @Test
    void twoByteSequenceTruncatedAtEndOfBufferIsRejected() {
        assertThat(firstInvalid(afterAb(0xC3))).isEqualTo(2);
    }

    @Test
    void threeByteSequenceTruncatedAtEndOfBufferIsRejected() {
        assertThat(firstInvalid(afterAb(0xE6))).isEqualTo(2);
        assertThat(firstInvalid(afterAb(0xE6, 0xB0))).isEqualTo(2);
    }

    @Test
    void fourByteSequenceTruncatedAtEndOfBufferIsRejected() {
        assertThat(firstInvalid(afterAb(0xF0, 0x9F, 0x8C))).isEqualTo(2);
        assertThat(firstInvalid(afterAb(0xF0))).isEqualTo(2);
    }

    @Test
    void lengthCutsASequenceThatContinuesInTheBuffer() {
        byte[] b = "ab水".getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.firstInvalid(b, b.length)).isEqualTo(-1);
        assertThat(Utf8.firstInvalid(b, b.length - 1)).isEqualTo(2);
        assertThat(Utf8.firstInvalid(b, 2)).isEqualTo(-1);
    }

    @Test
    void bytesBeyondLengthAreNotExamined() {
        byte[] b = afterAb(0xFF, 0xFE);
        assertThat(Utf8.firstInvalid(b, 2)).isEqualTo(-1);
    }

    // --- surrogates and out-of-range code points

    @Test
    void encodedHighSurrogateIsRejected() {
        assertThat(firstInvalid(afterAb(0xED, 0xA0, 0x80))).isEqualTo(2);
    }

    @Test
    void encodedLowSurrogateIsRejected() {
        assertThat(firstInvalid(afterAb(0xED, 0xBF, 0xBF))).isEqualTo(2);
    }

    @Test
    void surrogatePairEncodedAsCesu8IsRejectedAtTheFirstHalf() {
        // U+1F30A as CESU-8: ED A0 BC ED BC 8A
        assertThat(firstInvalid(afterAb(0xED, 0xA0, 0xBC, 0xED, 0xBC, 0x8A))).isEqualTo(2);
    }

    @Test
    void codePointAboveU10ffffIsRejected() {
        assertThat(firstInvalid(afterAb(0xF4, 0x90, 0x80, 0x80))).isEqualTo(2);
    }

    @Test
    void everyLeadByteFromF5UpIsRejected() {
        for (int lead = 0xF5; lead <= 0xFF; lead++) {
            assertThat(firstInvalid(afterAb(lead, 0x80, 0x80, 0x80))).as("lead %02X", lead).isEqualTo(2);
        }
    }

    // --- the first bad byte is reported

    @Test
    void offsetOfTheFirstOfSeveralBadBytesIsReported() {
        byte[] good = "{\"text\":\"火灾".getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[good.length + 4];
        System.arraycopy(good, 0, b, 0, good.length);
        b[good.length] = (byte) 0xFF;
        b[good.length + 1] = 'x';
        b[good.length + 2] = (byte) 0xC0;
        b[good.length + 3] = (byte) 0xAF;
        assertThat(firstInvalid(b)).isEqualTo(good.length);
    }

    // --- agreement with the JDK's strict decoder

    @Test
    void agreesWithTheJdkDecoderOnEveryTwoByteInput() {
        CharsetDecoder decoder = strictDecoder();
        byte[] b = new byte[2];
        for (int x = 0; x < 0x10000; x++) {
            b[0] = (byte) (x >> 8);
            b[1] = (byte) x;
            assertThat(firstInvalid(b) < 0).as("%04X", x).isEqualTo(jdkAccepts(decoder, b));
        }
    }

    @Test
    void agreesWithTheJdkDecoderOnEveryThreeByteSequenceWithAMultiByteLead() {
        CharsetDecoder decoder = strictDecoder();
        byte[] b = new byte[3];
        for (int lead = 0xC0; lead <= 0xFF; lead++) {
            for (int c1 = 0x7E; c1 <= 0xC1; c1++) {
                for (int c2 = 0x7E; c2 <= 0xC1; c2++) {
                    b[0] = (byte) lead;
                    b[1] = (byte) c1;
                    b[2] = (byte) c2;
                    if ((firstInvalid(b) < 0) != jdkAccepts(decoder, b)) {
                        assertThat(firstInvalid(b) < 0).as("%02X %02X %02X", lead, c1, c2).isEqualTo(jdkAccepts(decoder, b));
                    }
                }
            }
        }
    }

    @Test
    void agreesWithTheJdkDecoderOnRandomFourByteSequences() {
        CharsetDecoder decoder = strictDecoder();
        Random random = new Random(20260101L);
        byte[] b = new byte[4];
        for (int i = 0; i < 100_000; i++) {
            b[0] = (byte) (0xE0 + random.nextInt(0x20));
            b[1] = (byte) (0x70 + random.nextInt(0x60));
            b[2] = (byte) (0x70 + random.nextInt(0x60));
            b[3] = (byte) (0x70 + random.nextInt(0x60));
            if ((firstInvalid(b) < 0) != jdkAccepts(decoder, b)) {
                assertThat(firstInvalid(b) < 0).as("%02X %02X %02X %02X", b[0], b[1], b[2], b[3]).isEqualTo(jdkAccepts(decoder, b));
            }
        }
    }

    private static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static boolean jdkAccepts(CharsetDecoder decoder, byte[] b) {
        try {
            decoder.reset().decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    // --- the fast path: plain ASCII without NUL

    @Test
    void plainAsciiAgreesWithTheByteByByteChecksAtEveryLengthAndOffset() {
        Random random = new Random(16);
        int plain = 0;
        java.util.List<String> wrong = new java.util.ArrayList<>();
        for (int n = 0; n < 200_000; n++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (0x20 + random.nextInt(0x5F));
            }
            if (b.length > 0 && random.nextBoolean()) {
                // one byte anywhere that is not plain ASCII: NUL, a high byte, or 0x7F/0x01 which are
                b[random.nextInt(b.length)] = (byte) new int[] {0x00, 0x80, 0xFF, 0xC3, 0x7F, 0x01}[random.nextInt(6)];
            }
            boolean expected = true;
            for (byte x : b) {
                expected &= x != 0 && (x & 0x80) == 0;
            }
            if (Utf8.plainAscii(b, b.length) != expected || expected && firstInvalid(b) != -1) {
                wrong.add(java.util.Arrays.toString(b));
            }
            plain += expected ? 1 : 0;
        }
        assertThat(wrong).isEmpty();
        assertThat(plain).isBetween(50_000, 150_000);
    }

    @Test
    void plainAsciiLooksOnlyAtTheGivenLength() {
        byte[] b = "{\"id\":\"s-1\"}\u0000\u0000".getBytes(StandardCharsets.US_ASCII);
        assertThat(Utf8.plainAscii(b, b.length - 2)).isTrue();
        assertThat(Utf8.plainAscii(b, b.length)).isFalse();
    }
}
