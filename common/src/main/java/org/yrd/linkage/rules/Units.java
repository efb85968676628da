package org.yrd.linkage.rules;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations ({@code 30m}, {@code 6h}, {@code 7d}, {@code 1h30m}), distances ({@code 15km},
 * {@code 800m}) and plain numbers as rule-pack files write them. Besides the strict forms, this
 * class reads what analysts tend to write instead ({@code thirty minutes}, {@code 15 km},
 * {@code 30分钟}, {@code 1,000,000}, {@code 100万}) — only to say in an error message exactly what
 * to write; the file itself must use the strict form.
 */
final class Units {

    private Units() {}

    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");
    private static final Pattern DISTANCE = Pattern.compile("(\\d+)(?:\\.(\\d+))?(km|m)");

    // --- strict forms

    /**
     * The duration written strictly ({@code 1h30m}; units d, h, m, s in that order), or null.
     * Never overflows: a duration too long for {@link Duration} (say {@code 99999999999999999999d})
     * is read as the longest one, so that a range check says it is too long.
     */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (text.isEmpty() || !m.matches()) {
            return null;
        }
        long seconds = 0;
        long[] unit = {86_400, 3_600, 60, 1};
        for (int g = 1; g <= 4; g++) {
            if (m.group(g) != null) {
                seconds = saturatedAdd(seconds, saturatedMultiply(parseSaturated(m.group(g)), unit[g - 1]));
            }
        }
        return Duration.ofSeconds(seconds);
    }

    /** The ASCII digits as a number, or Long.MAX_VALUE when they are more than a long holds. */
    private static long parseSaturated(String digits) {
        long n = 0;
        for (int i = 0; i < digits.length(); i++) {
            n = saturatedAdd(saturatedMultiply(n, 10), digits.charAt(i) - '0');
        }
        return n;
    }

    private static long saturatedMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** True when {@link #formatDuration} can write the duration so that it reads back the same. */
    static boolean writable(Duration d) {
        return d.getNano() == 0;
    }

    /** {@code 30m}, {@code 1h}, {@code 1h30m}, {@code 7d}, {@code 1d12h}; whole seconds only. */
    static String formatDuration(Duration d) {
        if (d.isNegative()) {
            return "-" + formatDuration(d.negated());
        }
        long s = d.getSeconds();
        if (s == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long[] unit = {86_400, 3_600, 60, 1};
        String[] name = {"d", "h", "m", "s"};
        for (int i = 0; i < unit.length; i++) {
            if (s >= unit[i]) {
                sb.append(s / unit[i]).append(name[i]);
                s %= unit[i];
            }
        }
        return sb.toString();
    }

    /**
     * The distance in km written strictly ({@code 15km}, {@code 12.5km}, {@code 800m}), or null.
     * Exact for comparing with any bound, yet quick however many digits are written: a number
     * with more than 9 digits before the point is read as a billion (out of every range either
     * way), and digits past the 30th after the point are reduced to one that says whether any of
     * them is not zero.
     */
    static BigDecimal parseDistanceKm(String text) {
        Matcher m = DISTANCE.matcher(text);
        if (!m.matches()) {
            return null;
        }
        String whole = m.group(1).replaceFirst("^0+(?=\\d)", "");
        if (whole.length() > 9) {
            whole = "1000000000";
        }
        String fraction = m.group(2) == null ? "" : m.group(2);
        if (fraction.length() > 30) {
            boolean more = fraction.chars().skip(30).anyMatch(c -> c != '0');
            fraction = fraction.substring(0, 30) + (more ? "1" : "");
        }
        BigDecimal n = new BigDecimal(fraction.isEmpty() ? whole : whole + "." + fraction);
        return m.group(3).equals("m") ? n.movePointLeft(3) : n;
    }

    static String formatKm(double km) {
        return plain(km) + "km";
    }

    /** The shortest decimal that reads back as exactly {@code v}, without exponent: 5.0 is {@code 5}. */
    static String plain(double v) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? ".nan" : v > 0 ? ".inf" : "-.inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0";
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    // --- what analysts write instead, for suggestions

    /**
     * Longer texts get no suggestion: the patterns below search, which on a long run of digits
     * takes time quadratic in its length, and no one writes a duration or amount this long.
     */
    private static final int LONGEST_INTERPRETED = 64;

    private static final Map<String, Long> SECONDS_PER = Map.ofEntries(
            Map.entry("w", 604_800L), Map.entry("wk", 604_800L), Map.entry("week", 604_800L), Map.entry("weeks", 604_800L),
            Map.entry("周", 604_800L), Map.entry("星期", 604_800L),
            Map.entry("d", 86_400L), Map.entry("day", 86_400L), Map.entry("days", 86_400L),
            Map.entry("天", 86_400L), Map.entry("日", 86_400L),
            Map.entry("h", 3_600L), Map.entry("hr", 3_600L), Map.entry("hrs", 3_600L), Map.entry("hour", 3_600L),
            Map.entry("hours", 3_600L), Map.entry("小时", 3_600L), Map.entry("钟头", 3_600L), Map.entry("时", 3_600L),
            Map.entry("m", 60L), Map.entry("min", 60L), Map.entry("mins", 60L), Map.entry("minute", 60L),
            Map.entry("minutes", 60L), Map.entry("分钟", 60L), Map.entry("分", 60L),
            Map.entry("s", 1L), Map.entry("sec", 1L), Map.entry("secs", 1L), Map.entry("second", 1L),
            Map.entry("seconds", 1L), Map.entry("秒", 1L), Map.entry("秒钟", 1L));

    private static final Pattern AMOUNT_AND_UNIT =
            Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-z]+|[\\u4e00-\\u9fff]+)\\.?");

    /**
     * What the analyst most likely meant by a duration that is not written strictly
     * ({@code thirty minutes}, {@code 30 min}, {@code 1.5h}, {@code PT30M}, {@code 6小时}), or null.
     */
    static Duration interpretDuration(String text) {
        if (text.length() > LONGEST_INTERPRETED) {
            return null;
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("pt") || s.startsWith("p")) {
            try {
                return positiveWholeSeconds(Duration.parse(s.toUpperCase(Locale.ROOT)));
            } catch (RuntimeException e) {
                // not ISO-8601 either
            }
        }
        s = s.replace("half an hour", "30 minutes").replace("half hour", "30 minutes");
        s = numbersForWords(s.replaceAll("\\band\\b|,|&", " "));
        Matcher m = AMOUNT_AND_UNIT.matcher(s);
        BigDecimal seconds = BigDecimal.ZERO;
        int end = 0;
        boolean any = false;
        while (m.find()) {
            if (!s.substring(end, m.start()).isBlank()) {
                return null;
            }
            Long per = SECONDS_PER.get(m.group(2));
            if (per == null) {
                return null;
            }
            seconds = seconds.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(per)));
            end = m.end();
            any = true;
        }
        if (!any || !s.substring(end).isBlank() || seconds.signum() <= 0 || seconds.stripTrailingZeros().scale() > 0) {
            return null;
        }
        try {
            return Duration.ofSeconds(seconds.longValueExact());
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static Duration positiveWholeSeconds(Duration d) {
        return d.isNegative() || d.isZero() || d.getNano() != 0 ? null : d;
    }

    private static final Pattern LOOSE_DISTANCE = Pattern.compile(
            "(\\d+(?:\\.\\d+)?)\\s*(km|kms|kilometers?|kilometres?|公里|千米|m|meters?|metres?|米)\\.?");

    /** The strict spelling of a distance written loosely ({@code 15 km}, {@code 15 kilometres}, {@code 15公里}), or null. */
    static String interpretDistance(String text) {
        if (text.length() > LONGEST_INTERPRETED) {
            return null;
        }
        String s = numbersForWords(text.trim().toLowerCase(Locale.ROOT));
        Matcher m = LOOSE_DISTANCE.matcher(s);
        if (!m.matches()) {
            return null;
        }
        String number = new BigDecimal(m.group(1)).stripTrailingZeros().toPlainString();
        if (new BigDecimal(number).signum() <= 0) {
            return null;
        }
        boolean km = m.group(2).startsWith("k") || m.group(2).equals("公里") || m.group(2).equals("千米");
        return number + (km ? "km" : "m");
    }

    private static final Pattern LOOSE_NUMBER = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(万|亿|million|thousand|k)?");

    /**
     * The number meant by text such as {@code three}, {@code 1,000,000}, {@code 100万},
     * {@code ¥1000000} or {@code 1000000 CNY}, or null.
     */
    static BigDecimal interpretNumber(String text) {
        if (text.length() > LONGEST_INTERPRETED) {
            return null;
        }
        String s = text.trim().toLowerCase(Locale.ROOT)
                .replaceAll("[,_ ，]", "")
                .replaceAll("^[¥￥]|cny$|rmb$|yuan$|元$", "");
        s = numbersForWords(s);
        Matcher m = LOOSE_NUMBER.matcher(s);
        if (!m.matches()) {
            return null;
        }
        BigDecimal n = new BigDecimal(m.group(1));
        if (m.group(2) != null) {
            n = n.multiply(switch (m.group(2)) {
                case "万" -> BigDecimal.valueOf(10_000);
                case "亿" -> BigDecimal.valueOf(100_000_000);
                case "million" -> BigDecimal.valueOf(1_000_000);
                default -> BigDecimal.valueOf(1_000);
            });
        }
        return n.stripTrailingZeros();
    }

    private static final List<String> SMALL = List.of("zero", "one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
            "eighteen", "nineteen");
    private static final List<String> TENS = List.of("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
            "eighty", "ninety");

    /** Replaces runs of English number words by digits: "thirty-five minutes" becomes "35 minutes", "an hour" "1 hour". */
    static String numbersForWords(String s) {
        String[] words = s.split("[\\s-]+");
        List<String> out = new ArrayList<>();
        BigInteger total = BigInteger.ZERO;
        long current = 0;
        boolean inNumber = false;
        for (String w : words) {
            long small = SMALL.indexOf(w);
            long tens = TENS.indexOf(w) > 1 ? TENS.indexOf(w) * 10L : -1;
            if (small >= 0 || tens >= 0) {
                current += Math.max(small, tens);
                inNumber = true;
            } else if ((w.equals("a") || w.equals("an")) && !inNumber) {
                current = 1;
                inNumber = true;
            } else if (inNumber && w.equals("hundred")) {
                current = Math.max(current, 1) * 100;
            } else if (inNumber && (w.equals("thousand") || w.equals("million"))) {
                total = total.add(BigInteger.valueOf(Math.max(current, 1) * (w.equals("thousand") ? 1_000 : 1_000_000)));
                current = 0;
            } else {
                if (inNumber) {
                    out.add(total.add(BigInteger.valueOf(current)).toString());
                    total = BigInteger.ZERO;
                    current = 0;
                    inNumber = false;
                }
                out.add(w);
            }
        }
        if (inNumber) {
            out.add(total.add(BigInteger.valueOf(current)).toString());
        }
        return String.join(" ", out);
    }
}
