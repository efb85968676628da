package org.yrd.linkage.alerting;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.testing.AlertsAndAcks;
import org.yrd.linkage.chain.Revisions;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.chain.Chain;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.ack;

/** ESC-ACK (rules-v1.md) in Flink's keyed two-input harness: deadlines at exactly d + SLA, on event time. */
class EscalationFunctionTest {

    private static final long SLA_HIGH = 15 * MINUTE;

    private static KeyedTwoInputStreamOperatorTestHarness<String, AlertRevision, Event, AlertRevision> harness() throws Exception {
        return AlertsAndAcks.harness(new EscalationFunction(Duration.ofDays(8)));
    }

    /** A HIGH cluster alert across Jiangsu and Shanghai, detected at T0. */
    private static Chain cluster() {
        return AlertsAndAcks.crossBorderCluster();
    }

    private static List<String> escalations(KeyedTwoInputStreamOperatorTestHarness<String, AlertRevision, Event, AlertRevision> h) {
        return h.extractOutputValues().stream().filter(r -> r.kind() == AlertKind.ESCALATION)
                .map(r -> r.alertId() + " " + r.detectedTs() + " " + String.join(",", r.recipients())).toList();
    }

    @Test
    void escalationFiresAtExactlyTheDeadlineToTheRegionalCentreAndTheSilentProvince() throws Exception {
        try (var h = harness()) {
            h.processElement1(Revisions.of(cluster(), 1, MsgType.ALERT, RulePack.defaults(), null), T0);
            h.processElement2(ack("INC-CLUSTER:k0", "310000", T0 + MINUTE), T0 + MINUTE);
            h.processBothWatermarks(new Watermark(T0 + SLA_HIGH - 1));
            assertThat(escalations(h)).isEmpty();
            h.processBothWatermarks(new Watermark(T0 + SLA_HIGH));
            assertThat(escalations(h)).containsExactly("ESC-ACK:INC-CLUSTER:k0:320000 " + (T0 + SLA_HIGH) + " 320000,YRD");
            AlertRevision esc = h.extractOutputValues().get(h.extractOutputValues().size() - 1);
            assertThat(esc.references()).containsExactly("INC-CLUSTER:k0");
            assertThat(esc.severity()).isEqualTo(Severity.HIGH);
            assertThat(esc.provinces()).containsExactly("310000", "320000");
        }
    }

    @Test
    void ackStampedExactlyAtTheDeadlinePreventsTheEscalation() throws Exception {
        try (var h = harness()) {
            h.processElement1(Revisions.of(cluster(), 1, MsgType.ALERT, RulePack.defaults(), null), T0);
            h.processElement2(ack("INC-CLUSTER:k0", "310000", T0 + SLA_HIGH), T0 + SLA_HIGH);
            h.processElement2(ack("INC-CLUSTER:k0", "320000", T0 + SLA_HIGH + 1), T0 + SLA_HIGH + 1);
            h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
            assertThat(escalations(h)).containsExactly("ESC-ACK:INC-CLUSTER:k0:320000 " + (T0 + SLA_HIGH) + " 320000,YRD");
        }
    }

    @Test
    void noEscalationAfterACancelBeforeTheDeadline() throws Exception {
        Chain c = cluster();
        try (var h = harness()) {
            h.processElement1(Revisions.of(c, 1, MsgType.ALERT, RulePack.defaults(), null), T0);
            c.cancelled = true;
            c.mergedInto = "INC-CLUSTER:other";
            c.cancelledTs = T0 + 5 * MINUTE;
            h.processElement1(Revisions.of(c, 2, MsgType.CANCEL, RulePack.defaults(), new String[] {"310000", "320000"}), T0 + 5 * MINUTE);
            h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
            assertThat(escalations(h)).isEmpty();
        }
    }

    @Test
    void escalationFollowsTheEscalatedAlertsLaterUpdates() throws Exception {
        Chain c = cluster();
        try (var h = harness()) {
            h.processElement1(Revisions.of(c, 1, MsgType.ALERT, RulePack.defaults(), null), T0);
            h.processBothWatermarks(new Watermark(T0 + SLA_HIGH));
            c.add(new Evidence(StreamKind.CALL, "k2", T0 + 16 * MINUTE, 310100));
            h.processElement1(Revisions.of(c, 2, MsgType.UPDATE, RulePack.defaults(), null), T0 + 16 * MINUTE);
            h.processBothWatermarks(new Watermark(T0 + 16 * MINUTE));
            List<AlertRevision> esc = h.extractOutputValues().stream().filter(r -> r.kind() == AlertKind.ESCALATION).toList();
            assertThat(esc).extracting(r -> r.alertId() + " r" + r.revision() + " " + r.msgType() + " " + r.evidence().length)
                    .containsExactlyInAnyOrder(
                            "ESC-ACK:INC-CLUSTER:k0:310000 r1 ALERT 2", "ESC-ACK:INC-CLUSTER:k0:320000 r1 ALERT 2",
                            "ESC-ACK:INC-CLUSTER:k0:310000 r2 UPDATE 3", "ESC-ACK:INC-CLUSTER:k0:320000 r2 UPDATE 3");
        }
    }

    @Test
    void alertUpdatedEveryQuarterHourForThirtyDaysHoldsAtMostOneCleanupTimerPerHourOfRetention() throws Exception {
        Chain c = cluster();
        try (var h = harness()) {
            h.processElement2(ack("INC-CLUSTER:k0", "310000", T0), T0);
            h.processElement2(ack("INC-CLUSTER:k0", "320000", T0), T0);
            for (int i = 1; i <= 30 * 24 * 4; i++) {
                long t = T0 + i * 15 * MINUTE;
                c.add(new Evidence(StreamKind.CALL, "k" + (i + 1), t, 310100));
                h.processElement1(Revisions.of(c, i, i == 1 ? MsgType.ALERT : MsgType.UPDATE, RulePack.defaults(), null), t);
                h.processBothWatermarks(new Watermark(t));
                h.getOutput().clear();
            }
            // 8 days of retention: one cleanup timer per hour it may fall due, and the next revision's
            assertThat(h.numEventTimeTimers()).isLessThanOrEqualTo(8 * 24 + 2);
        }
    }

    @Test
    void revisionWhoseRecordDoesNotRenderIsADeadLetterAndTheNextOnePasses() throws Exception {
        Chain c = cluster();
        AlertRevision good = Revisions.of(c, 1, MsgType.ALERT, RulePack.defaults(), null);
        c.severity = null;
        AlertRevision broken = Revisions.of(c, 2, MsgType.UPDATE, RulePack.defaults(), null);
        try (var h = harness()) {
            h.processElement1(broken, T0);
            h.processElement1(good, T0);
            assertThat(h.extractOutputValues()).extracting(r -> r.alertId() + " r" + r.revision()).containsExactly("INC-CLUSTER:k0 r1");
            var failures = h.getSideOutput(org.yrd.linkage.runtime.Outputs.FAILURES);
            assertThat(failures).singleElement().satisfies(d -> {
                assertThat(d.getValue().stream()).isEqualTo(StreamKind.CALL);
                assertThat(d.getValue().raw()).isEqualTo("alert INC-CLUSTER:k0, revision 2");
                assertThat(d.getValue().detail()).startsWith("internal error in ESC-ACK: java.lang.NullPointerException");
            });
        }
    }

    @Test
    void summaryNamesTheCitiesInChinese() {
        AlertRevision r = Revisions.of(cluster(), 1, MsgType.ALERT, RulePack.defaults(), null);
        assertThat(r.summary()).contains("上海市").contains("苏州市").contains("火灾");
    }
}
