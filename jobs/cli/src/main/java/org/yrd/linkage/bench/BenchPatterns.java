package org.yrd.linkage.bench;

import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.FraudType;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.PatternRule;
import org.yrd.linkage.rules.RulePack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Patterns for measuring what patterns cost: the shapes of the three worked examples
 * (config/rules/examples), in turn, each over another sensor kind, fraud type or call category,
 * so that every pattern has events of its own in a generated input and many of them run at once.
 */
public final class BenchPatterns {

    private BenchPatterns() {}

    /** The default pack with {@code n} patterns. */
    public static RulePack pack(int n) {
        RulePack d = RulePack.defaults();
        return new RulePack(d.id(), n == 0 ? d.version() : d.version() + "+" + n + "-patterns", d.hazards(), d.cascade(),
                d.spread(), d.cluster(), d.link(), d.burst(), d.escalation(), patterns(n));
    }

    static List<PatternRule> patterns(int n) {
        RulePack d = RulePack.defaults();
        SensorKind[] kinds = SensorKind.values();
        FraudType[] types = FraudType.values();
        CallCategory[] categories = CallCategory.values();
        List<PatternRule> patterns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = String.format("PAT-BENCH-%03d", i + 1);
            int k = i / 3;
            switch (i % 3) {
                case 0 -> {
                    SensorKind kind = kinds[k % kinds.length];
                    RulePack.Hazard h = d.hazards().get(kind);
                    CallCategory related = h.relatedCalls().iterator().next();
                    patterns.add(new PatternRule(id, null, Severity.CRITICAL, new PatternRule.Key(PatternRule.KeyKind.GRID, 10),
                            Duration.ofHours(1), List.of(
                                    step("breach", PatternRule.Contiguity.BEGIN, StreamKind.SENSOR,
                                            where(Set.of(kind), new PatternRule.Range(h.threshold(), null), Set.of(), Set.of(), null),
                                            null, 1, false),
                                    step("calls", PatternRule.Contiguity.FOLLOWED_BY, StreamKind.CALL,
                                            where(Set.of(), null, Set.of(related), Set.of(), null),
                                            new PatternRule.Near("breach", 5 + k % 5), 3, true)),
                            PatternRule.AfterMatch.SKIP_PAST_LAST_EVENT, 2, null));
                }
                case 1 -> patterns.add(new PatternRule(id, null, Severity.HIGH, new PatternRule.Key(PatternRule.KeyKind.NONE, 0),
                        Duration.ofMinutes(10 + k % 5), List.of(step("reports", PatternRule.Contiguity.BEGIN, StreamKind.FRAUD,
                                where(Set.of(), null, Set.of(), Set.of(types[k % types.length]), null), null, 5, true)),
                        PatternRule.AfterMatch.SKIP_PAST_LAST_EVENT, 3, null));
                default -> patterns.add(new PatternRule(id, null, Severity.HIGH, new PatternRule.Key(PatternRule.KeyKind.CITY, 0),
                        Duration.ofHours(6), List.of(
                                step("report", PatternRule.Contiguity.BEGIN, StreamKind.FRAUD,
                                        where(Set.of(), null, Set.of(), Set.of(types[k % types.length]),
                                                new PatternRule.Range(10_000.0 * (1 + k % 3), null)), null, 1, false),
                                step("call", PatternRule.Contiguity.FOLLOWED_BY, StreamKind.CALL,
                                        where(Set.of(), null, Set.of(categories[k % categories.length]), Set.of(), null), null, 1, false)),
                        PatternRule.AfterMatch.SKIP_PAST_LAST_EVENT, 1, null));
            }
        }
        return patterns;
    }

    private static PatternRule.Step step(String name, PatternRule.Contiguity c, StreamKind stream, PatternRule.Where where,
                                         PatternRule.Near near, int times, boolean orMore) {
        return new PatternRule.Step(name, c, stream, where, near, times, orMore);
    }

    private static PatternRule.Where where(Set<SensorKind> kinds, PatternRule.Range value, Set<CallCategory> categories,
                                           Set<FraudType> types, PatternRule.Range amount) {
        return new PatternRule.Where(kinds, value, categories, types, amount, Set.of(), Set.of());
    }
}
