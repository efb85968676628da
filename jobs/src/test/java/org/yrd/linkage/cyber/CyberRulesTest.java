package org.yrd.linkage.cyber;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.alerting.AlertJson;
import org.yrd.linkage.engine.Routing;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.FinalAlert;
import org.yrd.linkage.testing.RuleFixture;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.testing.Events.DAY;
import static org.yrd.linkage.testing.Events.HOUR;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.fraud;

/** The edges of CYB-LINK and CYB-BURST (rules-v1.md), each rule in an operator harness. */
class CyberRulesTest {

    private static final RulePack PACK = RulePack.defaults();

    private static Map<String, FinalAlert> link(Event... events) throws Exception {
        return RuleFixture.run(new LinkRule(PACK, false), new Routing.Link(), events);
    }

    private static Map<String, FinalAlert> burst(Event... events) throws Exception {
        return RuleFixture.run(new BurstRule(PACK, false), new Routing.Burst(), events);
    }

    @Test
    void phoneNumbersWrittenThreeWaysLinkAcrossProvinces() throws Exception {
        Map<String, FinalAlert> alerts = link(
                fraud("f1", T0, "320500", 1000, "PHONE", "+86 139-1234-5678"),
                fraud("f2", T0 + HOUR, "330100", 1000, "PHONE", "8613912345678"),
                fraud("f3", T0 + 2 * HOUR, "340100", 1000, "PHONE", "139 1234 5678"));
        assertThat(alerts).containsOnlyKeys("CYB-LINK:f1");
        FinalAlert a = alerts.get("CYB-LINK:f1");
        assertThat(a.evidence()).containsExactly("FRAUD:f1", "FRAUD:f2", "FRAUD:f3");
        assertThat(a.recipients()).containsExactly("320000", "330000", "340000");
        assertThat(a.severity()).isEqualTo("HIGH");
    }

    @Test
    void bankAccountsWrittenWithSpacesLink() throws Exception {
        assertThat(link(
                fraud("f1", T0, "320500", 1000, "BANK_ACCOUNT", "6222 0212 3456 7890"),
                fraud("f2", T0 + HOUR, "310101", 1000, "BANK_ACCOUNT", "6222021234567890"))).containsOnlyKeys("CYB-LINK:f1");
    }

    @Test
    void chainLinkedThroughDifferentIdentifiersIsOneCase() throws Exception {
        Map<String, FinalAlert> alerts = link(
                fraud("a", T0, "320500", 100, "PHONE", "13900000001", "BANK_ACCOUNT", "6222000000000001"),
                fraud("b", T0 + HOUR, "320500", 100, "BANK_ACCOUNT", "6222000000000001", "URL", "http://www.Evil.example/"),
                fraud("c", T0 + 2 * HOUR, "330100", 100, "URL", "evil.example"));
        assertThat(alerts).containsOnlyKeys("CYB-LINK:a");
        assertThat(alerts.get("CYB-LINK:a").evidence()).containsExactly("FRAUD:a", "FRAUD:b", "FRAUD:c");
    }

    @Test
    void twoAlertedCasesMergeIntoTheEarlierWithCancelAndUpdate() throws Exception {
        try (RuleFixture f = new RuleFixture(new LinkRule(PACK, false), new Routing.Link())) {
            f.feed(fraud("a1", T0, "320500", 100, "PHONE", "13900000001"),
                    fraud("a2", T0 + HOUR, "330100", 100, "PHONE", "13900000001"),
                    fraud("b1", T0 + 2 * HOUR, "340100", 100, "PHONE", "13900000002"),
                    fraud("b2", T0 + 3 * HOUR, "310101", 100, "PHONE", "13900000002"),
                    fraud("bridge", T0 + 4 * HOUR, "320100", 100, "PHONE", "13900000001", "PHONE", "13900000002"));
            Map<String, FinalAlert> alerts = f.finish();
            assertThat(alerts).containsOnlyKeys("CYB-LINK:a1", "CYB-LINK:b1");
            FinalAlert absorbed = alerts.get("CYB-LINK:b1");
            assertThat(absorbed.cancelled()).isTrue();
            assertThat(absorbed.references()).containsExactly("CYB-LINK:a1");
            FinalAlert survivor = alerts.get("CYB-LINK:a1");
            assertThat(survivor.cancelled()).isFalse();
            assertThat(survivor.evidence()).containsExactly("FRAUD:a1", "FRAUD:a2", "FRAUD:b1", "FRAUD:b2", "FRAUD:bridge");
            assertThat(survivor.recipients()).containsExactly("310000", "320000", "330000", "340000");

            List<AlertRevision> cancels = f.revisions().stream().filter(r -> r.msgType() == MsgType.CANCEL).toList();
            assertThat(cancels).hasSize(1);
            assertThat(cancels.get(0).recipients()).containsExactly("310000", "340000");
            AlertRevision update = f.revisions().stream()
                    .filter(r -> r.alertId().equals("CYB-LINK:a1") && r.msgType() == MsgType.UPDATE).findFirst().orElseThrow();
            assertThat(update.recipients()).containsExactly("310000", "320000", "330000", "340000");
        }
    }

    @Test
    void mergedCaseThatNeverAlertedNeedsNoCancel() throws Exception {
        Map<String, FinalAlert> alerts = link(
                fraud("a1", T0, "320500", 100, "PHONE", "13900000001"),
                fraud("b1", T0 + HOUR, "320500", 100, "PHONE", "13900000002"),
                fraud("bridge", T0 + 2 * HOUR, "330100", 100, "PHONE", "13900000001", "PHONE", "13900000002"));
        assertThat(alerts).containsOnlyKeys("CYB-LINK:a1");
    }

    @Test
    void reportsSevenDaysApartDoNotLinkAndSevenDaysLessOneMillisecondDo() throws Exception {
        assertThat(link(
                fraud("f1", T0, "320500", 100, "PHONE", "13900000001"),
                fraud("f2", T0 + 7 * DAY, "330100", 100, "PHONE", "13900000001"))).isEmpty();
        assertThat(link(
                fraud("f1", T0, "320500", 100, "PHONE", "13900000001"),
                fraud("f2", T0 + 7 * DAY - 1, "330100", 100, "PHONE", "13900000001"))).containsOnlyKeys("CYB-LINK:f1");
    }

    @Test
    void lossOfAMillionMakesTheCaseCritical() throws Exception {
        Map<String, FinalAlert> alerts = link(
                fraud("f1", T0, "320500", 600_000, "PHONE", "13900000001"),
                fraud("f2", T0 + HOUR, "330100", 400_000, "PHONE", "13900000001"));
        assertThat(alerts.get("CYB-LINK:f1").severity()).isEqualTo("CRITICAL");
    }

    private static Event[] reports(int n, long spacing) {
        Event[] e = new Event[n];
        for (int i = 0; i < n; i++) {
            e[i] = fraud("r" + i, T0 + i * spacing, "320500", 100, "PAYMENT_ACCOUNT", "ALIPAY_5345780831");
        }
        return e;
    }

    @Test
    void fiveReportsWithinAnHourAgainstOneAccountAlertWithTheHashedIdentifier() throws Exception {
        Map<String, FinalAlert> alerts = burst(reports(5, 10 * MINUTE));
        assertThat(alerts).containsOnlyKeys("CYB-BURST:r0:PAYMENT_ACCOUNT-192a42f77a24");
        assertThat(alerts.values().iterator().next().recipients()).containsExactly("320000");
    }

    @Test
    void fourReportsDoNotAlert() throws Exception {
        assertThat(burst(reports(4, 10 * MINUTE))).isEmpty();
    }

    @Test
    void fiveReportsSpreadOverFiveHoursDoNotAlert() throws Exception {
        assertThat(burst(reports(5, 61 * MINUTE))).isEmpty();
    }

    @Test
    void reportNamingTheSameIdentifierTwiceCountsOnce() throws Exception {
        Event[] e = reports(4, 10 * MINUTE);
        Event twice = fraud("twice", T0 + 50 * MINUTE, "320500", 100,
                "PAYMENT_ACCOUNT", "ALIPAY_5345780831", "PAYMENT_ACCOUNT", " alipay_5345780831 ");
        Event[] all = java.util.Arrays.copyOf(e, 5);
        all[4] = twice;
        Map<String, FinalAlert> alerts = burst(all);
        assertThat(alerts).hasSize(1);
        assertThat(alerts.values().iterator().next().evidence()).hasSize(5).contains("FRAUD:twice");
        assertThat(burst(e)).isEmpty();
    }

    @Test
    void noRawIdentifierLeavesInAnAlert() throws Exception {
        try (RuleFixture f = new RuleFixture(new LinkRule(PACK, false), new Routing.Link())) {
            f.feed(fraud("f1", T0, "320500", 100, "PHONE", "13912345678", "BANK_ACCOUNT", "6222021234567890"),
                    fraud("f2", T0 + HOUR, "330100", 100, "PHONE", "13912345678"));
            f.finish();
            assertThat(f.revisions()).isNotEmpty().allSatisfy(r -> {
                assertThat(r.identifiers()).containsExactly("BANK_ACCOUNT:622****7890", "PHONE:139****5678");
                for (String recipient : r.recipients()) {
                    assertThat(AlertJson.alert(r, recipient)).doesNotContain("13912345678").doesNotContain("6222021234567890");
                }
            });
        }
    }
}
