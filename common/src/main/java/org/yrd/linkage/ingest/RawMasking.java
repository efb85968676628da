package org.yrd.linkage.ingest;

/**
 * Masks phone numbers, account numbers and identifiers in text that leaves the engine in a dead
 * letter: the raw input of a rejected record, of any stream, and the detail of its rejection. A
 * rejected record can be any shape (that is why it was rejected), so masking works on the text,
 * not on parsed JSON.
 *
 * <p>The rule is the contract's (contracts/README.md, wire format). A <em>run</em> is a maximal
 * sequence of digits, ASCII {@code 0-9} or full-width {@code ０-９}, in which single separators
 * may stand between two digits: a space or a hyphen-minus, ASCII or full-width ({@code ' '},
 * {@code '-'}, U+3000, U+FF0D). A separator at either edge of a run is not part of it, and two
 * separators in a row end it: {@code 139 1234  5678} is a run of 7 digits and one of 4. A run of
 * 11 or more digits keeps the text from its start to its 3rd digit and from its 4th-last digit
 * to its end around {@code ****} ({@code +86 139-1234-5678} becomes {@code +86 1****5678}); a run
 * of 6 to 10 digits becomes {@code ****}; shorter runs stay.
 *
 * <p>Besides, the string value of every JSON field named {@code "value"} or {@code "callerHash"}
 * (suspect identifiers and callers, which need not be digits: payment account names) becomes its
 * first 3 and last 4 characters around {@code ****}, or {@code ****} when it has 7 characters or
 * fewer. Neither part keeps a digit of a run that the digit rule hides entirely: the first part
 * stops before such a run and the last starts after it ({@code alipay_5345780831} becomes
 * {@code ali****}), so the extra protection never shows more than the digit rule alone.
 *
 * <p>Why a hand-written scanner: the regular expressions this replaces repeated a group per digit,
 * which Java matches by recursion (a run of about 16,000 digits overflowed the stack), and made a
 * second pass over the text. This is one pass, in time linear in the length of the text (a field
 * value is read a second time to find its runs), without recursion, and allocating hardly more
 * than the result (nothing when there is nothing to mask).
 */
public final class RawMasking {

    private static final String MASK = "****";

    private static final String[] KEYS = {"\"value\"", "\"callerHash\""};

    private RawMasking() {}

    /** The text, masked. */
    public static String mask(CharSequence text) {
        return new Scan(text, false).run();
    }

    /**
     * The text, masked, when it is the start of a longer input that was cut (to bound the work):
     * a run or a field value that reaches the cut may go on beyond it, so it is masked as if it
     * were long ({@code ****}, or its first 3 digits and {@code ****} when 11 digits are already
     * seen), never left as a short run that is in truth the start of a phone number.
     */
    public static String maskPrefix(CharSequence prefix) {
        return new Scan(prefix, true).run();
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9' || c >= '\uFF10' && c <= '\uFF19';
    }

    static boolean isSeparator(char c) {
        return c == ' ' || c == '-' || c == '\u3000' || c == '\uFF0D';
    }

    /** One pass over one text; the run fields describe the run found last. */
    private static final class Scan {
        private final CharSequence text;
        private final int n;
        private final boolean cut;
        private StringBuilder out;
        private int copied;

        /** The run found last: [start, end), its digit count, where its 3rd digit ends and its 4th-last begins. */
        private int start;
        private int end;
        private int digits;
        private int headEnd;
        private int tailStart;

        Scan(CharSequence text, boolean cut) {
            this.text = text;
            this.n = text.length();
            this.cut = cut;
        }

        String run() {
            int i = 0;
            while (i < n) {
                char c = text.charAt(i);
                if (isDigit(c)) {
                    i = digitRun(i);
                } else if (c == '"') {
                    i = field(i);
                } else {
                    i++;
                }
            }
            if (out == null) {
                return text.toString();
            }
            out.append(text, copied, n);
            return out.toString();
        }

        /** Masks the run that starts at {@code i}; returns where scanning goes on. */
        private int digitRun(int i) {
            runAt(i, n);
            boolean open = cut && (end == n || end == n - 1 && isSeparator(text.charAt(n - 1)));
            if (open) {
                replace(start, end, digits >= 11 ? headEnd : start);
            } else if (digits >= 11) {
                replace(start, end, headEnd, tailStart);
            } else if (digits >= 6) {
                replace(start, end, start);
            }
            return end;
        }

        /**
         * At a quote: when it opens the key {@code "value"} or {@code "callerHash"} followed by a
         * string, masks that string; returns where scanning goes on.
         */
        private int field(int quote) {
            int key = keyLength(quote);
            if (key == 0) {
                return quote + 1;
            }
            int j = skipWhitespace(quote + key);
            if (j >= n || text.charAt(j) != ':') {
                return quote + key;
            }
            j = skipWhitespace(j + 1);
            if (j >= n || text.charAt(j) != '"') {
                return quote + key;
            }
            int from = j + 1;
            int to = from;
            while (to < n && text.charAt(to) != '"') {
                to += text.charAt(to) == '\\' ? 2 : 1;
            }
            to = Math.min(to, n);
            maskValue(from, to, to == n);
            return to < n ? to + 1 : n;
        }

        private void maskValue(int from, int to, boolean unclosed) {
            // more than 14 chars are more than 7 code points: no need to count them
            if (unclosed && cut || to - from <= 14 && Character.codePointCount(text, from, to) <= 7) {
                replace(from, to, from);
                return;
            }
            int head = Character.offsetByCodePoints(text, from, 3);
            int tail = Character.offsetByCodePoints(text, to, -4);
            // neither part may keep a digit of a run the digit rule hides entirely
            int i = from;
            while (i < to) {
                if (isDigit(text.charAt(i))) {
                    runAt(i, to);
                    if (digits >= 6 && digits <= 10) {
                        head = Math.min(head, start);
                        tail = Math.max(tail, end);
                    }
                    i = end;
                } else {
                    i++;
                }
            }
            replace(from, to, head, tail);
        }

        /** Finds the run that starts with the digit at {@code i} and ends before {@code limit}. */
        private void runAt(int i, int limit) {
            start = i;
            digits = 0;
            headEnd = i;
            int last1 = i;
            int last2 = i;
            int last3 = i;
            int last4 = i;
            int j = i;
            while (true) {
                digits++;
                if (digits == 3) {
                    headEnd = j + 1;
                }
                last4 = last3;
                last3 = last2;
                last2 = last1;
                last1 = j;
                j++;
                if (j < limit && isDigit(text.charAt(j))) {
                    continue;
                }
                if (j + 1 < limit && isSeparator(text.charAt(j)) && isDigit(text.charAt(j + 1))) {
                    j++;
                    continue;
                }
                break;
            }
            end = j;
            tailStart = last4;
        }

        private int keyLength(int quote) {
            for (String key : KEYS) {
                if (quote + key.length() <= n && startsWith(quote, key)) {
                    return key.length();
                }
            }
            return 0;
        }

        private boolean startsWith(int at, String s) {
            for (int k = 0; k < s.length(); k++) {
                if (text.charAt(at + k) != s.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        private int skipWhitespace(int j) {
            while (j < n) {
                char c = text.charAt(j);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    break;
                }
                j++;
            }
            return j;
        }

        /** Replaces [from, to) by its part up to {@code keepTo} and {@code ****}. */
        private void replace(int from, int to, int keepTo) {
            replace(from, to, keepTo, to);
        }

        /** Replaces [from, to) by its part up to {@code keepTo}, {@code ****} and its part from {@code keepFrom}. */
        private void replace(int from, int to, int keepTo, int keepFrom) {
            if (out == null) {
                out = new StringBuilder(n);
            }
            out.append(text, copied, keepTo).append(MASK).append(text, keepFrom, to);
            copied = to;
        }
    }
}
