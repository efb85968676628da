package org.yrd.linkage.cyber;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alerting.AlertJson;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.RuleFixture;

import java.nio.charset.StandardCharsets;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.testing.Events.DAY;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.fraud;

/**
 * The cyber rules keep bounded state whatever the input does. A burst stays open while reports
 * keep coming, and a case while its identifiers stay live (rules-v1.md), for as long as that is;
 * neither grows with its reports or identifiers: the state after 30 days is that of a run that
 * has filled a window once, and the alert lists 200 reports and 200 identifiers of all of them.
 */
class BoundedCyberStateTest {

    private static final RulePack PACK = RulePack.defaults();
    private static final long EVERY = 10 * MINUTE;

    /** What a run left: the rule's state, the largest alert record, and its last revision. */
    private record Run(long stateBytes, int largestRecord, AlertRevision last) {}

    /** Feeds one report every 10 min for {@code days}, committing day by day. */
    private static Run run(RuleFixture f, int days, LongFunction<Event> report) throws Exception {
        long end = T0 + days * DAY;
        int largest = 0;
        AlertRevision last = null;
        for (long t = T0; t < end; t += EVERY) {
            f.feed(report.apply(t));
            if ((t - T0) % DAY == 0 || t + EVERY >= end) {
                f.watermark(t);
                for (AlertRevision r : f.revisions()) {
                    largest = Math.max(largest, AlertJson.alert(r, r.recipients()[0]).getBytes(StandardCharsets.UTF_8).length);
                    last = r;
                }
                f.clearRevisions();
            }
        }
        return new Run(f.stateBytes(), largest, last);
    }

    private static long n(long t) {
        return (t - T0) / EVERY;
    }

    /** A report every 10 min against one payment account, from Suzhou. */
    private static Event againstOneAccount(long t) {
        return fraud(String.format("f-%06d", n(t)), t, "320500", 1000, "PAYMENT_ACCOUNT", "alipay_mule_0001");
    }

    /** A report every 10 min, from Suzhou and Hangzhou in turn, naming one account and a phone never named before. */
    private static Event throughOneAccountWithNewPhones(long t) {
        return fraud(String.format("f-%06d", n(t)), t, n(t) % 2 == 0 ? "320500" : "330100", 1000,
                "PAYMENT_ACCOUNT", "alipay_mule_0001", "PHONE", String.format("139%08d", n(t)));
    }

    @Test
    void burstOpenForThirtyDaysKeepsTheStateOfThreeDaysAndItsAlertListsTwoHundredOfAll() throws Exception {
        Run threeDays;
        Run thirtyDays;
        try (RuleFixture f = new RuleFixture(new BurstRule(PACK, false), new BurstRule.Route())) {
            threeDays = run(f, 3, BoundedCyberStateTest::againstOneAccount);
        }
        try (RuleFixture f = new RuleFixture(new BurstRule(PACK, false), new BurstRule.Route())) {
            thirtyDays = run(f, 30, BoundedCyberStateTest::againstOneAccount);
        }
        System.out.printf("CYB-BURST state after 3 days %,d bytes, after 30 days %,d bytes; largest record %,d bytes%n",
                threeDays.stateBytes, thirtyDays.stateBytes, thirtyDays.largestRecord);
        assertThat(thirtyDays.last.alertId()).isEqualTo("CYB-BURST:f-000000:PAYMENT_ACCOUNT-1");
        assertThat(thirtyDays.last.evidenceCount()).isEqualTo(30 * 144);
        assertThat(thirtyDays.last.evidence()).hasSize(AlertRevision.MAX_EVIDENCE);
        assertThat(thirtyDays.last.lossCny()).isEqualTo(30 * 144 * 1000.0);
        assertThat(thirtyDays.largestRecord).isLessThan(100_000);
        assertThat(thirtyDays.stateBytes).isLessThan(threeDays.stateBytes * 11 / 10);
    }

    @Test
    void caseLinkingANewPhoneEveryTenMinutesForThirtyDaysKeepsTheStateOfTenDays() throws Exception {
        Run tenDays;
        Run thirtyDays;
        try (RuleFixture f = new RuleFixture(new LinkRule(PACK, false), new LinkRule.Route())) {
            tenDays = run(f, 10, BoundedCyberStateTest::throughOneAccountWithNewPhones);
        }
        try (RuleFixture f = new RuleFixture(new LinkRule(PACK, false), new LinkRule.Route())) {
            thirtyDays = run(f, 30, BoundedCyberStateTest::throughOneAccountWithNewPhones);
        }
        System.out.printf("CYB-LINK state after 10 days %,d bytes, after 30 days %,d bytes; largest record %,d bytes%n",
                tenDays.stateBytes, thirtyDays.stateBytes, thirtyDays.largestRecord);
        assertThat(thirtyDays.last.alertId()).isEqualTo("CYB-LINK:f-000000");
        assertThat(thirtyDays.last.evidenceCount()).isEqualTo(30 * 144);
        assertThat(thirtyDays.last.evidence()).hasSize(AlertRevision.MAX_EVIDENCE);
        assertThat(thirtyDays.last.identifiers()).hasSize(AlertRevision.MAX_IDENTIFIERS);
        assertThat(thirtyDays.largestRecord).isLessThan(100_000);
        // what stays is the identifiers live in the last 7 days, as after 10 days
        assertThat(thirtyDays.stateBytes).isLessThan(tenDays.stateBytes * 11 / 10);
    }
}
