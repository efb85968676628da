package org.yrd.linkage.feedback;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.testing.AlertsAndAcks;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.chain.Revisions;
import org.yrd.linkage.model.AckStatus;
import org.yrd.linkage.model.AlertAck;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;

/** The feedback join in Flink's keyed two-input harness: each answer counts once, and waiting answers keep bounded state. */
class FeedbackFunctionTest {

    private static final String ALERT = "INC-CLUSTER:k0";

    private static KeyedTwoInputStreamOperatorTestHarness<String, AlertRevision, Event, FeedbackFact> harness() throws Exception {
        return harness(false);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, AlertRevision, Event, FeedbackFact> harness(boolean ordered) throws Exception {
        return AlertsAndAcks.harness(new FeedbackFunction(Duration.ofDays(8), ordered));
    }

    /** A HIGH cluster alert to Jiangsu and Shanghai, detected at T0. */
    private static AlertRevision alert() {
        return Revisions.of(AlertsAndAcks.crossBorderCluster(), 1, MsgType.ALERT, RulePack.defaults(), null);
    }

    private static Event ack(String province, long ts, AckStatus status) {
        return Event.ack(new AlertAck(ALERT, province, ts, status));
    }

    /** Feeds {@code n} answers from Jiangsu before the alert, the earliest last; returns the harness's state size. */
    private static long answersBeforeTheAlert(KeyedTwoInputStreamOperatorTestHarness<String, AlertRevision, Event, FeedbackFact> h, int n)
            throws Exception {
        AckStatus[] statuses = AckStatus.values();
        for (int i = n; i >= 1; i--) {
            h.processElement2(ack("320000", T0 + i * MINUTE, statuses[i % statuses.length]), T0);
        }
        return h.snapshot(1, 1).getStateSize();
    }

    @Test
    void answersWaitingForTheirAlertKeepOnePerProvinceAndStatusAndTheEarliestCounts() throws Exception {
        long few;
        try (var h = harness()) {
            few = answersBeforeTheAlert(h, 10);
        }
        try (var h = harness()) {
            long many = answersBeforeTheAlert(h, 10_000);
            assertThat(many).isEqualTo(few);

            h.processElement1(alert(), T0);
            assertThat(h.extractOutputValues()).extracting(f -> f.province() + " " + f.kind() + " " + f.ackMillis())
                    .containsExactlyInAnyOrder("310000 ALERTED 0", "320000 ALERTED 0", "320000 ACKNOWLEDGED " + MINUTE,
                            "320000 CONFIRMED 0", "320000 FALSE_ALARM 0", "320000 RESOLVED 0");
        }
    }

    /**
     * Two answers of one province arriving latest first, after the alert: live mode counts the
     * first to arrive, ordered mode (replay) the earliest, whatever the arrival order, so that
     * replay's figures are the same in every run.
     */
    @Test
    void orderedModeTakesAnswersInTsOrderSoThatTheEarliestGivesTheTimeToAcknowledge() throws Exception {
        for (boolean ordered : new boolean[] {false, true}) {
            try (var h = harness(ordered)) {
                h.processElement1(alert(), T0);
                h.processElement2(ack("320000", T0 + 5 * MINUTE, AckStatus.CONFIRMED), T0 + 5 * MINUTE);
                h.processElement2(ack("320000", T0 + 2 * MINUTE, AckStatus.RECEIVED), T0 + 2 * MINUTE);
                if (ordered) {
                    assertThat(h.extractOutputValues()).extracting(FeedbackFact::kind).containsOnly(FeedbackFact.ALERTED);
                    h.processBothWatermarks(new Watermark(T0 + 5 * MINUTE));
                }
                assertThat(h.extractOutputValues()).filteredOn(f -> f.kind().equals(FeedbackFact.ACKNOWLEDGED))
                        .extracting(FeedbackFact::ackMillis).as(ordered ? "ordered" : "live")
                        .containsExactly(ordered ? 2 * MINUTE : 5 * MINUTE);
                assertThat(h.extractOutputValues()).extracting(FeedbackFact::kind).contains(AckStatus.CONFIRMED.name());
            }
        }
    }
}
