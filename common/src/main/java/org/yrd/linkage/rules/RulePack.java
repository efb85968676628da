package org.yrd.linkage.rules;

import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.StreamKind;

import java.io.Serializable;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every number and list the detection rules use, as one immutable value. {@link #defaults()} is
 * the default pack {@code yrd-default} version 1, exactly as docs/contracts/rules-v1.md
 * states it; analysts' packs replace any of it. {@code patterns} are the analysts' own
 * {@link PatternRule}s beside the six rules (none in the default pack).
 */
public record RulePack(
        String id,
        String version,
        Map<SensorKind, Hazard> hazards,
        Cascade cascade,
        Spread spread,
        Cluster cluster,
        Link link,
        Burst burst,
        Escalation escalation,
        List<PatternRule> patterns) implements Serializable {

    public RulePack {
        patterns = List.copyOf(patterns);
    }

    /** A pack of the six rules and no pattern. */
    public RulePack(String id, String version, Map<SensorKind, Hazard> hazards, Cascade cascade, Spread spread,
                    Cluster cluster, Link link, Burst burst, Escalation escalation) {
        this(id, version, hazards, cascade, spread, cluster, link, burst, escalation, List.of());
    }

    /** The pattern with this id, or null. */
    public PatternRule pattern(String patternId) {
        for (PatternRule p : patterns) {
            if (p.id().equals(patternId)) {
                return p;
            }
        }
        return null;
    }

    /** A sensor kind's breach threshold and the call categories related to it. */
    public record Hazard(double threshold, String unit, Set<CallCategory> relatedCalls) implements Serializable {}

    /** INC-CASCADE: a sensor breach followed by related 110 calls nearby. */
    public record Cascade(boolean enabled, double radiusKm, Duration window, int minCalls,
                          Severity severity, Severity crossProvinceSeverity) implements Serializable {}

    /** INC-SPREAD: the same hazard breaching in several provinces. */
    public record Spread(boolean enabled, double radiusKm, Duration window, int minProvinces,
                         Severity severity) implements Serializable {}

    /** INC-CLUSTER: 110 calls of one category across a provincial border. */
    public record Cluster(boolean enabled, Set<CallCategory> categories, double radiusKm, Duration window,
                          int minCalls, int minProvinces, Severity severity) implements Serializable {}

    /** CYB-LINK: fraud reports linked through shared identifiers. */
    public record Link(boolean enabled, Duration liveness, int minProvinces, double criticalLossCny,
                       Severity severity, Severity criticalSeverity) implements Serializable {}

    /** CYB-BURST: many reports against one identifier. */
    public record Burst(boolean enabled, Duration quietGap, int minReports, Severity severity) implements Serializable {}

    /** ESC-ACK: how long a province has to acknowledge an alert of each severity (absent: never escalated). */
    public record Escalation(boolean enabled, Map<Severity, Duration> sla) implements Serializable {}

    public static RulePack defaults() {
        Map<SensorKind, Hazard> hazards = new EnumMap<>(SensorKind.class);
        hazards.put(SensorKind.WATER_LEVEL, new Hazard(5.0, "m", EnumSet.of(CallCategory.FLOOD)));
        hazards.put(SensorKind.RAINFALL, new Hazard(50, "mm/h", EnumSet.of(CallCategory.FLOOD)));
        hazards.put(SensorKind.GAS, new Hazard(25, "%LEL",
                EnumSet.of(CallCategory.GAS_LEAK, CallCategory.EXPLOSION, CallCategory.FIRE)));
        hazards.put(SensorKind.SMOKE, new Hazard(10, "%obs/m", EnumSet.of(CallCategory.FIRE, CallCategory.EXPLOSION)));
        hazards.put(SensorKind.WATER_QUALITY, new Hazard(40, "mg/L COD", EnumSet.of(CallCategory.POLLUTION)));
        hazards.put(SensorKind.AIR_QUALITY, new Hazard(250, "ug/m3 PM2.5", EnumSet.of(CallCategory.POLLUTION)));
        hazards.put(SensorKind.STRUCTURAL, new Hazard(1000, "microstrain",
                EnumSet.of(CallCategory.COLLAPSE, CallCategory.EXPLOSION)));
        Map<Severity, Duration> sla = new EnumMap<>(Severity.class);
        sla.put(Severity.CRITICAL, Duration.ofMinutes(5));
        sla.put(Severity.HIGH, Duration.ofMinutes(15));
        return new RulePack(
                "yrd-default",
                "1",
                hazards,
                new Cascade(true, 15.0, Duration.ofMinutes(30), 3, Severity.HIGH, Severity.CRITICAL),
                new Spread(true, 50.0, Duration.ofHours(6), 2, Severity.CRITICAL),
                new Cluster(true,
                        EnumSet.complementOf(EnumSet.of(CallCategory.OTHER, CallCategory.FRAUD, CallCategory.MISSING_PERSON)),
                        10.0, Duration.ofMinutes(20), 5, 2, Severity.HIGH),
                new Link(true, Duration.ofDays(7), 2, 1_000_000, Severity.HIGH, Severity.CRITICAL),
                new Burst(true, Duration.ofMinutes(60), 5, Severity.HIGH),
                new Escalation(true, sla));
    }

    /**
     * What defines how a rule groups events into chains (anchors, windows, radii, keys): when it
     * changes in a live update, the rule starts fresh. Everything else (thresholds, counts,
     * severities, SLAs) is a parameter that applies to the events taken from then on.
     */
    public java.util.List<Object> structureOf(String ruleId) {
        switch (ruleId) {
            case "INC-CASCADE":
                return java.util.List.of(cascade.enabled(), cascade.radiusKm(), cascade.window());
            case "INC-SPREAD":
                return java.util.List.of(spread.enabled(), spread.radiusKm(), spread.window());
            case "INC-CLUSTER":
                return java.util.List.of(cluster.enabled(), new java.util.TreeSet<>(cluster.categories()), cluster.radiusKm(), cluster.window());
            case "CYB-LINK":
                return java.util.List.of(link.enabled(), link.liveness());
            case "CYB-BURST":
                return java.util.List.of(burst.enabled(), burst.quietGap());
            default:
                throw new IllegalArgumentException("no such rule: " + ruleId);
        }
    }

    /** Whether a rule is switched on in this pack (asked for every event a rule takes: allocates nothing). */
    public boolean enabled(String ruleId) {
        switch (ruleId) {
            case "INC-CASCADE":
                return cascade.enabled();
            case "INC-SPREAD":
                return spread.enabled();
            case "INC-CLUSTER":
                return cluster.enabled();
            case "CYB-LINK":
                return link.enabled();
            case "CYB-BURST":
                return burst.enabled();
            default:
                throw new IllegalArgumentException("no such rule: " + ruleId);
        }
    }

    /** True when a reading of this kind and value is a breach. */
    public boolean isBreach(SensorKind kind, double value) {
        Hazard h = hazards.get(kind);
        return h != null && value >= h.threshold();
    }

    /**
     * True when some rule can use this reading (the others are dropped at ingestion): a breach,
     * or a reading a pattern's step asks for.
     */
    public boolean usesReading(SensorKind kind, double value) {
        if (isBreach(kind, value)) {
            return true;
        }
        for (PatternRule p : patterns) {
            for (PatternRule.Step s : p.steps()) {
                PatternRule.Where w = s.where();
                if (s.stream() == StreamKind.SENSOR && (w.kinds().isEmpty() || w.kinds().contains(kind))
                        && (w.value() == null || w.value().contains(value))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True when some rule can use a call of this category (the others are dropped at ingestion). */
    public boolean usesCall(CallCategory category) {
        for (PatternRule p : patterns) {
            for (PatternRule.Step s : p.steps()) {
                if (s.stream() == StreamKind.CALL && (s.where().categories().isEmpty() || s.where().categories().contains(category))) {
                    return true;
                }
            }
        }
        if (cluster.enabled() && cluster.categories().contains(category)) {
            return true;
        }
        if (cascade.enabled()) {
            for (Hazard h : hazards.values()) {
                if (h.relatedCalls().contains(category)) {
                    return true;
                }
            }
        }
        return false;
    }

    public boolean related(SensorKind kind, CallCategory category) {
        Hazard h = hazards.get(kind);
        return h != null && h.relatedCalls().contains(category);
    }
}
