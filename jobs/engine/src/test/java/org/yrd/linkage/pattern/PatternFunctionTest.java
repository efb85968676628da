package org.yrd.linkage.pattern;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.FinalAlert;
import org.yrd.linkage.testing.PatternCases;
import org.yrd.linkage.testing.RuleFixture;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.testing.PatternCases.FLOOD_RESCUE;
import static org.yrd.linkage.testing.PatternCases.IMPERSONATION_MISSING;
import static org.yrd.linkage.testing.PatternCases.INVESTMENT_WAVE;

/**
 * The worked patterns of config/rules/examples on the cases built for them (PatternCases), in an
 * operator harness: exactly the alerts each case states, in event-time order and out of it.
 */
class PatternFunctionTest {

    private static Map<String, FinalAlert> run(RulePack pack, boolean speculative, List<Event> events) throws Exception {
        return RuleFixture.run(new PatternFunction(pack, speculative), new PatternRouting(pack), events.toArray(new Event[0]));
    }

    @Test
    void floodBreachFollowedByRescueCallsFromTwoProvincesAlertsAndEveryNearMissDoesNot() throws Exception {
        Map<String, FinalAlert> alerts = run(PatternCases.only(FLOOD_RESCUE), false, PatternCases.floodRescue());
        assertThat(alerts).containsOnlyKeys("PAT-FLOOD-RESCUE:f-s1");
        FinalAlert a = alerts.get("PAT-FLOOD-RESCUE:f-s1");
        assertThat(a.evidence()).containsExactly("CALL:f-c1", "CALL:f-c2", "CALL:f-c3", "SENSOR:f-s1");
        assertThat(a.provinces()).containsExactly("310000", "320000");
        assertThat(a.severity()).isEqualTo("CRITICAL");
        assertThat(a.kind()).isEqualTo("INCIDENT_CHAIN");
        assertThat(a.ruleId()).isEqualTo("PAT-FLOOD-RESCUE");
    }

    @Test
    void investmentWaveFromThreeProvincesWithinTenMinutesAlertsAndEveryNearMissDoesNot() throws Exception {
        Map<String, FinalAlert> alerts = run(PatternCases.only(INVESTMENT_WAVE), false, PatternCases.investmentWave());
        assertThat(alerts).containsOnlyKeys("PAT-INVESTMENT-WAVE:w-1");
        assertThat(alerts.get("PAT-INVESTMENT-WAVE:w-1").evidence())
                .containsExactly("FRAUD:w-1", "FRAUD:w-2", "FRAUD:w-3", "FRAUD:w-4", "FRAUD:w-5");
        assertThat(alerts.get("PAT-INVESTMENT-WAVE:w-1").kind()).isEqualTo("CYBER_CHAIN");
    }

    @Test
    void impersonationReportFollowedByMissingPersonCallInTheSameCityAlertsAndEveryNearMissDoesNot() throws Exception {
        Map<String, FinalAlert> alerts = run(PatternCases.only(IMPERSONATION_MISSING), false, PatternCases.impersonationMissing());
        assertThat(alerts).containsOnlyKeys("PAT-IMPERSONATION-MISSING:m-f1");
        assertThat(alerts.get("PAT-IMPERSONATION-MISSING:m-f1").evidence()).containsExactly("CALL:m-c1", "FRAUD:m-f1");
        assertThat(alerts.get("PAT-IMPERSONATION-MISSING:m-f1").provinces()).containsExactly("320000");
    }

    @Test
    void thePatternsTogetherGiveTheirAlertsAndNoOthers() throws Exception {
        assertThat(run(PatternCases.examplePack(), false, PatternCases.all())).containsOnlyKeys(
                "PAT-FLOOD-RESCUE:f-s1", "PAT-INVESTMENT-WAVE:w-1", "PAT-IMPERSONATION-MISSING:m-f1");
    }
}
