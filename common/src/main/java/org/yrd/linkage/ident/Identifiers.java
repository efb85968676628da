package org.yrd.linkage.ident;

import org.yrd.linkage.model.IdentifierType;

import java.util.Locale;

/**
 * Normalisation and masking of suspect identifiers, exactly as contracts/README.md defines them.
 * Normalised values stay inside the parser; the engine keeps only the {@link #mask} and the keyed
 * {@link IdentifierKey#digest} forms.
 */
public final class Identifiers {

    private Identifiers() {}

    /** The normalised form; may be empty when nothing usable remains (e.g. a PHONE with no digit). */
    public static String normalise(IdentifierType type, String value) {
        switch (type) {
            case PHONE: {
                String digits = digitsOnly(value);
                return digits.length() == 13 && digits.startsWith("86") ? digits.substring(2) : digits;
            }
            case BANK_ACCOUNT:
                return digitsOnly(value);
            case URL:
                return normaliseUrl(value);
            default:
                return value.strip().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code TYPE:} + first 3 + {@code ****} + last 4 characters; values of 7 characters or fewer: {@code TYPE:****}. */
    public static String mask(IdentifierType type, String normalised) {
        int n = normalised.codePointCount(0, normalised.length());
        if (n <= 7) {
            return type.name() + ":****";
        }
        int headEnd = normalised.offsetByCodePoints(0, 3);
        int tailStart = normalised.offsetByCodePoints(0, n - 4);
        return type.name() + ':' + normalised.substring(0, headEnd) + "****" + normalised.substring(tailStart);
    }

    private static String digitsOnly(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= '0' && c <= '9') {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Lower case, then one {@code scheme://}, one leading {@code www.} and one trailing {@code /} removed. */
    private static String normaliseUrl(String value) {
        String s = value.toLowerCase(Locale.ROOT);
        int scheme = s.indexOf("://");
        if (scheme > 0 && isScheme(s, scheme)) {
            s = s.substring(scheme + 3);
        }
        if (s.startsWith("www.")) {
            s = s.substring(4);
        }
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static boolean isScheme(String s, int end) {
        if (!Character.isLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < end; i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }
}
