package org.yrd.linkage.rules;

import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.FraudType;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.StreamKind;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An analyst's own detection pattern, from the {@code patterns:} section of a rule pack: named
 * steps over the input streams, one after the other within {@code within}, looked for among the
 * events of one key (a neighbourhood, an identifier, a city, or all events). The engine compiles
 * it to a Flink CEP pattern; {@code config/rules/examples/README.md} teaches the syntax.
 *
 * @param id           the rule id of its alerts, e.g. {@code PAT-FLOOD-RESCUE}; alert ids are {@code <id>:<first event id>}
 * @param description  what the pattern is for, free text (may be null)
 * @param severity     the severity of its alerts
 * @param key          which events are looked at together
 * @param within       every event of a match lies less than this after the match's first event
 * @param steps        the steps in order; the first one begins the pattern
 * @param afterMatch   which other matches a match leaves possible
 * @param minProvinces a match counts only when its events come from at least this many provinces
 * @param summary      the alert's one-line summary with placeholders ({@link #PLACEHOLDERS}); null for the default
 */
public record PatternRule(
        String id,
        String description,
        Severity severity,
        Key key,
        Duration within,
        List<Step> steps,
        AfterMatch afterMatch,
        int minProvinces,
        String summary) implements Serializable {

    /** What a summary template may name: {@code {places}} becomes the city names, {@code {calls}} the number of calls, ... */
    public static final List<String> PLACEHOLDERS =
            List.of("places", "events", "sensors", "calls", "reports", "provinces", "cities", "loss", "subject");

    public PatternRule {
        steps = List.copyOf(steps);
    }

    /** How events are grouped before the pattern is looked for among them. */
    public enum KeyKind {
        /** a neighbourhood: every event of a match lies within {@link Key#km()} of the match's first event */
        GRID,
        /** the same suspect identifier (fraud reports only) */
        IDENTIFIER,
        /** the same city */
        CITY,
        /** all events together */
        NONE
    }

    /** @param km the neighbourhood's radius for {@link KeyKind#GRID}, 0 otherwise */
    public record Key(KeyKind kind, double km) implements Serializable {}

    /** Flink CEP's after-match skip strategies that a pattern may choose. */
    public enum AfterMatch {
        /**
         * No event up to a match's last one begins or continues another match: one alert per
         * occurrence (the default).
         */
        SKIP_PAST_LAST_EVENT,
        /**
         * Every match counts: each event that can begin the pattern begins its own alert, and
         * a match that grows (a step of {@code times: {atLeast: n}}) updates it.
         */
        NO_SKIP
    }

    /** How a step follows the one before it, in Flink CEP's words. */
    public enum Contiguity {
        /** the first step */
        BEGIN,
        /** strictly the next event of the key */
        NEXT,
        /** the next matching event, skipping others */
        FOLLOWED_BY,
        /** any later matching event (every combination) */
        FOLLOWED_BY_ANY,
        /** the next event of the key is not one of these */
        NOT_NEXT,
        /** no such event between the step before and the step after (or, last, until {@code within} has passed) */
        NOT_FOLLOWED_BY;

        /** True for the steps that say what must not happen. */
        public boolean negated() {
            return this == NOT_NEXT || this == NOT_FOLLOWED_BY;
        }
    }

    /** An inclusive range; null bounds are open. */
    public record Range(Double atLeast, Double atMost) implements Serializable {
        public boolean contains(double v) {
            return (atLeast == null || v >= atLeast) && (atMost == null || v <= atMost);
        }
    }

    /**
     * Conditions on one event's own fields; an empty set or a null range is no condition.
     * {@code kinds} and {@code value} apply to sensor readings, {@code categories} to calls,
     * {@code fraudTypes} and {@code amountCny} to fraud reports, {@code cities} (GB/T 2260 city
     * codes) and {@code provinces} to every stream.
     */
    public record Where(Set<SensorKind> kinds, Range value, Set<CallCategory> categories, Set<FraudType> fraudTypes,
                        Range amountCny, Set<Integer> cities, Set<Integer> provinces) implements Serializable {

        public static final Where ANY = new Where(Set.of(), null, Set.of(), Set.of(), null, Set.of(), Set.of());

        // sorted, so that toString (and so the version) is the same in every JVM
        public Where {
            kinds = sorted(kinds);
            categories = sorted(categories);
            fraudTypes = sorted(fraudTypes);
            cities = sorted(cities);
            provinces = sorted(provinces);
        }

        private static <T extends Comparable<T>> Set<T> sorted(Set<T> set) {
            return Collections.unmodifiableSortedSet(new TreeSet<>(set));
        }
    }

    /** A spatial condition: the event lies within {@code km} of an event of the earlier step {@code step}. */
    public record Near(String step, double km) implements Serializable {}

    /**
     * One step of the pattern.
     *
     * @param times  how many events the step takes (1: once)
     * @param orMore true: at least {@code times} events
     * @param near   null: no spatial condition
     */
    public record Step(String name, Contiguity contiguity, StreamKind stream, Where where, Near near,
                       int times, boolean orMore) implements Serializable {}

    /** CYBER_CHAIN when a step is about fraud reports, otherwise INCIDENT_CHAIN. */
    public AlertKind alertKind() {
        return steps.stream().anyMatch(s -> s.stream() == StreamKind.FRAUD) ? AlertKind.CYBER_CHAIN : AlertKind.INCIDENT_CHAIN;
    }

    public Step first() {
        return steps.get(0);
    }

    /**
     * A short digest of everything that defines the pattern, the same in every JVM: state is kept
     * per version, so that a changed pattern starts fresh while an unchanged one keeps its state.
     */
    public String version() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
