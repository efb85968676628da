package org.yrd.linkage.ingest;

import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.StreamKind;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What of a rejected record may leave the engine in a dead letter: at most 4096 characters, with
 * every suspect identifier and caller masked. A rejected record can be any shape, so masking works
 * on text: the value of every {@code "value"} and {@code "callerHash"} field, and any run of seven
 * or more digits (phone and account numbers outside a parseable field).
 */
final class Redaction {

    private static final Pattern FIELD = Pattern.compile("(\"(?:value|callerHash)\"\\s*:\\s*\")((?:[^\"\\\\]|\\\\.)*)(\"?)");
    private static final Pattern DIGITS = Pattern.compile("\\d(?:[\\s-]?\\d){6,}");

    private Redaction() {}

    static String raw(StreamKind stream, byte[] bytes) {
        int n = Math.min(bytes.length, DeadLetter.MAX_RAW_CHARS * 4);
        String text = new String(bytes, 0, n, StandardCharsets.UTF_8);
        if (stream == StreamKind.FRAUD || stream == StreamKind.CALL) {
            text = mask(text);
        }
        if (text.length() > DeadLetter.MAX_RAW_CHARS) {
            text = text.substring(0, DeadLetter.MAX_RAW_CHARS);
        }
        return text;
    }

    static String mask(String text) {
        Matcher m = FIELD.matcher(text);
        StringBuilder sb = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + masked(m.group(2)) + m.group(3)));
        }
        m.appendTail(sb);
        Matcher d = DIGITS.matcher(sb.toString());
        StringBuilder out = new StringBuilder(sb.length());
        while (d.find()) {
            d.appendReplacement(out, Matcher.quoteReplacement(masked(d.group())));
        }
        d.appendTail(out);
        return out.toString();
    }

    private static String masked(String value) {
        if (value.length() <= 7) {
            return "****";
        }
        return value.substring(0, 3) + "****" + value.substring(value.length() - 4);
    }
}
