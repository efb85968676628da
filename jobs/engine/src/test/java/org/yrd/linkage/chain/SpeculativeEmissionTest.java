package org.yrd.linkage.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.alerting.AlertJson;
import org.yrd.linkage.cyber.LinkRule;
import org.yrd.linkage.incident.CascadeRouting;
import org.yrd.linkage.incident.CascadeRule;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.ContractSchema;
import org.yrd.linkage.testing.FinalAlert;
import org.yrd.linkage.testing.RuleFixture;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.model.CallCategory.FIRE;
import static org.yrd.linkage.model.SensorKind.GAS;
import static org.yrd.linkage.testing.Events.HOUR;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.call;
import static org.yrd.linkage.testing.Events.fraud;
import static org.yrd.linkage.testing.Events.sensor;

/**
 * Timeliness (rules-v1.md): in speculative mode an alert leaves as soon as the events received
 * satisfy the rule, before any watermark; events arriving out of ts order end in the in-order result.
 */
class SpeculativeEmissionTest {

    private static final RulePack PACK = RulePack.defaults();

    private static Event breach(String id, long ts) {
        return sensor(id, "GAS-1", GAS, 30, ts, 31.30, 121.0, "320500");
    }

    private static Event fire(String id, long ts) {
        return call(id, ts, 31.31, 121.0, FIRE, "320500");
    }

    @Test
    void alertLeavesWithTheCompletingEventBeforeAnyWatermark() throws Exception {
        try (RuleFixture f = new RuleFixture(new CascadeRule(PACK, true), new CascadeRouting(PACK))) {
            f.feed(breach("s1", T0), fire("c1", T0 + MINUTE), fire("c2", T0 + 2 * MINUTE));
            assertThat(f.revisions()).isEmpty();
            f.feed(fire("c3", T0 + 3 * MINUTE));
            assertThat(f.revisions()).hasSize(1);
            assertThat(f.revisions().get(0).msgType()).isEqualTo(MsgType.ALERT);
            assertThat(f.revisions().get(0).alertId()).isEqualTo("INC-CASCADE:s1");
        }
    }

    @Test
    void earlierBreachArrivingLastStillCompletesTheChainAtOnce() throws Exception {
        try (RuleFixture f = new RuleFixture(new CascadeRule(PACK, true), new CascadeRouting(PACK))) {
            f.feed(fire("c1", T0 + MINUTE), fire("c2", T0 + 2 * MINUTE), fire("c3", T0 + 3 * MINUTE));
            assertThat(f.revisions()).isEmpty();
            f.feed(breach("s1", T0));
            assertThat(f.revisions()).extracting(AlertRevision::alertId).containsExactly("INC-CASCADE:s1");
            assertThat(f.finish().get("INC-CASCADE:s1").evidence()).hasSize(4);
        }
    }

    @Test
    void lateArrivingEarlierAnchorWithdrawsTheSpeculativeAlertAndRaisesTheTrueOne() throws Exception {
        Event[] arrival = {breach("s2", T0 + 5 * MINUTE), fire("c1", T0 + 6 * MINUTE), fire("c2", T0 + 7 * MINUTE),
                fire("c3", T0 + 8 * MINUTE), breach("s1", T0)};
        try (RuleFixture f = new RuleFixture(new CascadeRule(PACK, true), new CascadeRouting(PACK))) {
            f.feed(arrival);
            assertThat(f.revisions()).extracting(r -> r.alertId() + " " + r.msgType())
                    .containsExactly("INC-CASCADE:s2 ALERT", "INC-CASCADE:s2 CANCEL", "INC-CASCADE:s1 ALERT");
            Map<String, FinalAlert> speculative = f.finish();
            assertThat(speculative.get("INC-CASCADE:s2").cancelled()).isTrue();
            Map<String, FinalAlert> ordered = RuleFixture.run(new CascadeRule(PACK, false), new CascadeRouting(PACK), arrival);
            assertThat(speculative.get("INC-CASCADE:s1")).isEqualTo(ordered.get("INC-CASCADE:s1"));
            assertThat(ordered).containsOnlyKeys("INC-CASCADE:s1");
        }
    }

    @Test
    void withdrawalRepeatsWhatRecipientsReceivedIsStampedWithTheLateEventAndMeetsTheAlertSchema() throws Exception {
        JsonSchema schema = ContractSchema.of("alert.schema.json");
        try (RuleFixture f = new RuleFixture(new CascadeRule(PACK, true), new CascadeRouting(PACK))) {
            f.feed(breach("s2", T0 + 5 * MINUTE), fire("c1", T0 + 6 * MINUTE), fire("c2", T0 + 7 * MINUTE),
                    fire("c3", T0 + 8 * MINUTE), breach("s1", T0));
            AlertRevision alert = f.revisions().get(0);
            AlertRevision withdrawal = f.revisions().get(1);
            assertThat(withdrawal.msgType()).isEqualTo(MsgType.CANCEL);
            assertThat(withdrawal.withdrawn()).isTrue();
            assertThat(withdrawal.detectedTs()).as("the ts of s1, whose late arrival withdrew the alert").isEqualTo(T0);
            assertThat(withdrawal.evidence()).containsExactly(alert.evidence());
            assertThat(withdrawal.evidenceCount()).isEqualTo(4);
            assertThat(withdrawal.severity()).isEqualTo(alert.severity());
            assertThat(withdrawal.cities()).containsExactly(alert.cities());
            assertThat(withdrawal.recipients()).containsExactly(alert.recipients());
            for (String recipient : withdrawal.recipients()) {
                JsonNode json = new ObjectMapper().readTree(AlertJson.alert(withdrawal, recipient));
                assertThat(schema.validate(json)).as(json.toString()).isEmpty();
            }
        }
    }

    @Test
    void outOfOrderReportsEndInTheInOrderCasesOfTheLinker() throws Exception {
        Event[] arrival = {
                fraud("b", T0 + 2 * HOUR, "330100", 100, "PHONE", "13900000001", "PHONE", "13900000002"),
                fraud("c", T0 + 3 * HOUR, "340100", 100, "PHONE", "13900000002"),
                fraud("a", T0, "320500", 100, "PHONE", "13900000001")};
        try (RuleFixture spec = new RuleFixture(new LinkRule(PACK, true), new LinkRule.Route())) {
            spec.feed(arrival);
            assertThat(spec.revisions()).extracting(r -> r.alertId() + " " + r.msgType()).contains("CYB-LINK:b ALERT", "CYB-LINK:a ALERT");
            Map<String, FinalAlert> live = spec.finish();
            Map<String, FinalAlert> ordered = RuleFixture.run(new LinkRule(PACK, false), new LinkRule.Route(), arrival);
            assertThat(ordered).containsOnlyKeys("CYB-LINK:a");
            assertThat(live.get("CYB-LINK:a")).isEqualTo(ordered.get("CYB-LINK:a"));
            assertThat(live.get("CYB-LINK:b").cancelled()).isTrue();
        }
    }
}
