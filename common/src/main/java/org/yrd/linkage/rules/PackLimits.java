package org.yrd.linkage.rules;

import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.model.SensorKind;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The valid range of every number a rule pack holds, in one place. {@link RulePackFile} refuses a
 * value outside its range when the pack is read, so that no operator ever meets a window of
 * {@code 200000000000d} (whose {@code toMillis()} throws and crash-loops the job), a negative
 * threshold (every reading a breach) or an identifier kept live for a century;
 * {@code config/rules/rule-pack.schema.json} states the same ranges for editors and
 * {@code config/rules/README.md} for analysts, and RulePackFileTest checks that both agree with
 * this table.
 *
 * <p>Why these bounds: a window, quiet gap or liveness is how long the engine keeps events in
 * state, so its bound is what the state may hold (a week; a month for the identifiers of
 * CYB-LINK, whose cases grow over weeks). Distances stop at 200 km, the scale of a few
 * neighbouring cities, well beyond any incident. Counts stop at 10,000 events, far above any
 * chain a rule should wait for. Thresholds stay within what a sensor of the kind can read in the
 * unit of rules-v1.md; above 0 where 0 would make every reading a breach (a water level is
 * measured from the warning datum, so it may be below it).
 */
final class PackLimits {

    private PackLimits() {}

    /** How the bounds of a limit are written, in files and messages. */
    enum Kind {
        /** seconds; written 30m, 7d */
        DURATION,
        /** km; written 15km, 800m */
        DISTANCE,
        /** a whole number */
        COUNT,
        /** a plain decimal number */
        NUMBER
    }

    /**
     * The range of one or more fields: from {@code min} (or, when {@code minExcluded}, anything
     * above it) to {@code max}, both in the kind's base unit (seconds, km, or the number itself);
     * {@code unit} names the unit of a threshold for people, empty elsewhere.
     */
    record Limit(List<String> fields, Kind kind, BigDecimal min, boolean minExcluded, BigDecimal max, String unit) {

        Limit {
            fields = List.copyOf(fields);
        }

        boolean tooLow(BigDecimal v) {
            int c = v.compareTo(min);
            return minExcluded ? c <= 0 : c < 0;
        }

        boolean tooHigh(BigDecimal v) {
            return v.compareTo(max) > 0;
        }

        boolean contains(BigDecimal v) {
            return !tooLow(v) && !tooHigh(v);
        }

        /** The lower bound as a file writes it: {@code 1s}, {@code 1m}, {@code 0}. */
        String minText() {
            return written(min);
        }

        /** The upper bound as a file writes it: {@code 7d}, {@code 200km}, {@code 10000}. */
        String maxText() {
            return written(max);
        }

        /**
         * The range in words, as the messages, the schema and README.md say it: {@code from 1s to 7d},
         * {@code above 0, up to 100 %LEL}.
         */
        String range() {
            return (minExcluded ? "above " + minText() + ", up to " : "from " + minText() + " to ") + maxText()
                    + (unit.isEmpty() ? "" : " " + unit);
        }

        private String written(BigDecimal v) {
            switch (kind) {
                case DURATION:
                    return Units.formatDuration(Duration.ofSeconds(v.longValueExact()));
                case DISTANCE:
                    return v.compareTo(BigDecimal.ONE) < 0
                            ? v.movePointRight(3).stripTrailingZeros().toPlainString() + "m"
                            : v.stripTrailingZeros().toPlainString() + "km";
                default:
                    return v.stripTrailingZeros().toPlainString();
            }
        }
    }

    /** Durations are written in whole seconds: 1s is the shortest a file can say, and 0 would close at once. */
    private static final BigDecimal SECOND = BigDecimal.ONE;
    private static final BigDecimal WEEK = BigDecimal.valueOf(Duration.ofDays(7).toSeconds());
    private static final BigDecimal MONTH = BigDecimal.valueOf(Duration.ofDays(30).toSeconds());
    private static final BigDecimal MOST_EVENTS = BigDecimal.valueOf(10_000);

    /** The region has four provinces (310000, 320000, 330000, 340000): more can never be reached. */
    static final int PROVINCES = 4;

    /** INC-CASCADE, INC-SPREAD and INC-CLUSTER keep an incident, episode or cluster this long. */
    static final Limit WINDOW = duration(WEEK,
            "INC-CASCADE.window", "INC-SPREAD.window", "INC-CLUSTER.window");

    /** CYB-LINK keeps an identifier (and its case) live this long after the last report naming it. */
    static final Limit LIVENESS = duration(MONTH, "CYB-LINK.liveFor");

    static final Limit QUIET_GAP = duration(WEEK, "CYB-BURST.quietGap");

    /** A deadline further away than a week is no escalation any more. */
    static final Limit SLA = duration(WEEK,
            Arrays.stream(Severity.values()).map(s -> "ESC-ACK.sla." + s).toArray(String[]::new));

    /** 1 m: positions are not more precise than that, and 0 would join nothing. */
    static final Limit RADIUS = new Limit(List.of("INC-CASCADE.radius", "INC-SPREAD.radius", "INC-CLUSTER.radius"),
            Kind.DISTANCE, new BigDecimal("0.001"), false, BigDecimal.valueOf(200), "");

    static final Limit CALLS = count(1, MOST_EVENTS, "INC-CASCADE.minCalls");

    /** A cluster or a burst is more than one event; with 1 every single event would alert. */
    static final Limit CHAIN = count(2, MOST_EVENTS, "INC-CLUSTER.minCalls", "CYB-BURST.minReports");

    static final Limit PROVINCE_COUNT = count(1, BigDecimal.valueOf(PROVINCES),
            "INC-SPREAD.minProvinces", "INC-CLUSTER.minProvinces", "CYB-LINK.minProvinces");

    /** CNY; a trillion is beyond any fraud case and keeps sums of amounts exact in a double. */
    static final Limit MONEY = new Limit(List.of("CYB-LINK.criticalLossCny"), Kind.NUMBER,
            BigDecimal.ZERO, false, new BigDecimal("1000000000000"), "");

    /**
     * Breach thresholds in the units of rules-v1.md. The upper bounds: water 50 m above the
     * warning datum (beyond any river stage range); rainfall 500 mm/h (beyond the heaviest hourly
     * rainfalls recorded, about 300 mm/h); gas 100 %LEL (the explosive limit itself); smoke 100
     * %obs/m (nothing visible); COD 10,000 mg/L (the top of online COD analysers' ranges); PM2.5
     * 1,000 ug/m3 (the top of monitors' ranges, twice the top of the AQI scale); strain 10,000
     * microstrain (1 %, well past the yield of structural steel and the crushing of concrete).
     */
    static final Map<SensorKind, Limit> THRESHOLDS;

    static {
        Map<SensorKind, Limit> t = new EnumMap<>(SensorKind.class);
        t.put(SensorKind.WATER_LEVEL, threshold(SensorKind.WATER_LEVEL, "-50", false, "50", "m above the warning datum"));
        t.put(SensorKind.RAINFALL, threshold(SensorKind.RAINFALL, "0", true, "500", "mm/h"));
        t.put(SensorKind.GAS, threshold(SensorKind.GAS, "0", true, "100", "%LEL"));
        t.put(SensorKind.SMOKE, threshold(SensorKind.SMOKE, "0", true, "100", "%obs/m"));
        t.put(SensorKind.WATER_QUALITY, threshold(SensorKind.WATER_QUALITY, "0", true, "10000", "mg/L COD"));
        t.put(SensorKind.AIR_QUALITY, threshold(SensorKind.AIR_QUALITY, "0", true, "1000", "ug/m3 PM2.5"));
        t.put(SensorKind.STRUCTURAL, threshold(SensorKind.STRUCTURAL, "0", true, "10000", "microstrain"));
        THRESHOLDS = Collections.unmodifiableMap(t);
    }

    /**
     * A pattern's window: how long its partial matches and recent events are kept in state, so a
     * week like the rules' windows.
     */
    static final Limit PATTERN_WITHIN = duration(WEEK, "patterns.<id>.within");

    /** The neighbourhood of {@code key: grid(...)} and the distance of {@code near}: as the rules' radii. */
    static final Limit PATTERN_DISTANCE = new Limit(List.of("patterns.<id>.key", "patterns.<id>.steps.<step>.near.within"),
            Kind.DISTANCE, new BigDecimal("0.001"), false, BigDecimal.valueOf(200), "");

    static final Limit PATTERN_TIMES = count(1, MOST_EVENTS, "patterns.<id>.steps.<step>.times");

    static final Limit PATTERN_PROVINCES = count(1, BigDecimal.valueOf(PROVINCES), "patterns.<id>.provinces.atLeast");

    /** CNY, as {@link #MONEY}. */
    static final Limit PATTERN_AMOUNT = new Limit(List.of("patterns.<id>.steps.<step>.where.amountCny"), Kind.NUMBER,
            BigDecimal.ZERO, false, new BigDecimal("1000000000000"), "");

    /** A pattern of more steps than this is no longer one an analyst can read (and its NFA grows with every step). */
    static final Limit PATTERN_STEPS = count(1, BigDecimal.valueOf(20), "patterns.<id>.steps");

    /**
     * Every pattern runs on every event it may use, keeps its own state and is measured in
     * BENCHMARKS.md up to 100 patterns; twice that is the most a pack may hold.
     */
    static final Limit PATTERN_COUNT = count(0, BigDecimal.valueOf(200), "patterns");

    /** The limits of the {@code patterns:} section (a sensor value in a step lies in its kind's threshold range). */
    static final List<Limit> PATTERNS = List.of(PATTERN_COUNT, PATTERN_STEPS, PATTERN_WITHIN, PATTERN_DISTANCE,
            PATTERN_TIMES, PATTERN_PROVINCES, PATTERN_AMOUNT);

    /** Every limit, in the order of the documentation: thresholds first, then the rules' settings. */
    static final List<Limit> ALL;

    static {
        List<Limit> all = new ArrayList<>(THRESHOLDS.values());
        all.addAll(List.of(RADIUS, WINDOW, CALLS, CHAIN, PROVINCE_COUNT, LIVENESS, MONEY, QUIET_GAP, SLA));
        ALL = List.copyOf(all);
    }

    private static Limit duration(BigDecimal max, String... fields) {
        return new Limit(List.of(fields), Kind.DURATION, SECOND, false, max, "");
    }

    private static Limit count(int min, BigDecimal max, String... fields) {
        return new Limit(List.of(fields), Kind.COUNT, BigDecimal.valueOf(min), false, max, "");
    }

    private static Limit threshold(SensorKind kind, String min, boolean minExcluded, String max, String unit) {
        return new Limit(List.of("hazards." + kind + ".threshold"), Kind.NUMBER, new BigDecimal(min), minExcluded,
                new BigDecimal(max), unit);
    }
}
