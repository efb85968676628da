package org.yrd.linkage.backtest;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.rules.PatternRule;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.PatternCases;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a backtest says moved an alert of a pattern: the pattern's settings that differ between the packs, or that only one pack has it. */
class WhyTest {

    private static RulePack withPatterns(RulePack p, List<PatternRule> patterns) {
        return new RulePack(p.id(), "2", p.hazards(), p.cascade(), p.spread(), p.cluster(), p.link(), p.burst(),
                p.escalation(), patterns);
    }

    @Test
    void aPatternsChangedSettingsAndItsPresenceAreNamed() {
        RulePack examples = PatternCases.examplePack();
        PatternRule flood = examples.pattern(PatternCases.FLOOD_RESCUE);
        PatternRule shorter = new PatternRule(flood.id(), flood.description(), flood.severity(), flood.key(),
                Duration.ofMinutes(30), flood.steps(), flood.afterMatch(), 3, flood.summary());

        assertThat(Why.settings(flood.id(), examples, withPatterns(examples, List.of(shorter))))
                .isEqualTo("within 60 min → 30 min, minProvinces 2 → 3");
        assertThat(Why.settings(flood.id(), RulePack.defaults(), examples)).isEqualTo("a pattern only the candidate pack has");
        assertThat(Why.settings(flood.id(), examples, RulePack.defaults())).isEqualTo("a pattern only the baseline pack has");
        assertThat(Why.settings(flood.id(), examples, examples)).isEmpty();
    }
}
