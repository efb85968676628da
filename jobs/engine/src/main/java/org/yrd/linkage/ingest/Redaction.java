package org.yrd.linkage.ingest;

import org.yrd.linkage.model.DeadLetter;

import java.nio.charset.StandardCharsets;

/**
 * What of a rejected record may leave the engine in a dead letter: at most 4096 characters of its
 * text, of any stream, masked as the contract says ({@link RawMasking}). Masking comes before the
 * cut, so that what is kept is masked text, yet reads at most 4 x 4096 bytes, so that the work is
 * bounded however large the record: a digit run or a value that this read cuts is masked as if it
 * went on, so the cut never leaves the start of a phone number readable.
 */
public final class Redaction {

    /** Enough bytes for 4096 characters of any UTF-8 text (at most 4 bytes a character). */
    private static final int MAX_BYTES = DeadLetter.MAX_RAW_CHARS * 4;

    private Redaction() {}

    /**
     * A dead letter of a record an operator threw on ({@link org.yrd.linkage.runtime.Outputs#FAILURES})
     * as it may leave the engine: its detail, which quotes an exception message, and its raw text
     * masked like the raw text of every stream.
     */
    public static DeadLetter failure(DeadLetter d) {
        return new DeadLetter(d.stream(), d.reason(), RawMasking.mask(d.detail()), RawMasking.mask(d.raw()), d.at(), d.source());
    }

    /** The raw text of a dead letter for the record {@code bytes}. */
    public static String raw(byte[] bytes) {
        int n = Math.min(bytes.length, MAX_BYTES);
        boolean cut = n < bytes.length;
        // a character split by the cut would decode as U+FFFD and end a digit run before the cut
        for (int k = 0; cut && k < 3 && n > 0 && (bytes[n] & 0xC0) == 0x80; k++) {
            n--;
        }
        String text = new String(bytes, 0, n, StandardCharsets.UTF_8);
        String masked = cut ? RawMasking.maskPrefix(text) : RawMasking.mask(text);
        if (masked.length() <= DeadLetter.MAX_RAW_CHARS) {
            return masked;
        }
        int end = DeadLetter.MAX_RAW_CHARS;
        if (Character.isHighSurrogate(masked.charAt(end - 1))) {
            end--;
        }
        return masked.substring(0, end);
    }
}
