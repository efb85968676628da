package org.yrd.linkage.runtime;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.alerting.EscalationFunction;
import org.yrd.linkage.chain.Chain;
import org.yrd.linkage.chain.Revisions;
import org.yrd.linkage.cyber.BurstRule;
import org.yrd.linkage.incident.CascadeRouting;
import org.yrd.linkage.incident.CascadeRule;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.FinalAlert;
import org.yrd.linkage.testing.RuleFixture;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.model.CallCategory.FIRE;
import static org.yrd.linkage.model.SensorKind.GAS;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.call;
import static org.yrd.linkage.testing.Events.fraud;
import static org.yrd.linkage.testing.Events.sensor;

/**
 * Event-time sums at the far end of time: the schemas let a ts reach {@link Long#MAX_VALUE}, and a
 * jump confirmed as real time can take a stream there. Window ends, quiet gaps and deadlines then
 * saturate; wrapped around, they would lie in the past, so windows would shut on their first
 * event and escalations fall due at once.
 */
class EventTimeTest {

    private static final RulePack PACK = RulePack.defaults();
    /** Ten minutes before the last millisecond a long can hold. */
    private static final long END = Long.MAX_VALUE - 10 * MINUTE;

    @Test
    void sumsSaturateAtTheEndsOfALongInsteadOfWrappingAround() {
        assertThat(EventTime.plus(1_000, 500)).isEqualTo(1_500);
        assertThat(EventTime.plus(Long.MAX_VALUE - 1, 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(EventTime.plus(Long.MAX_VALUE - 1, 2)).isEqualTo(Long.MAX_VALUE);
        assertThat(EventTime.plus(END, Duration.ofDays(7).toMillis())).isEqualTo(Long.MAX_VALUE);
        assertThat(EventTime.plus(Long.MIN_VALUE + 1, -2)).isEqualTo(Long.MIN_VALUE);
        assertThat(EventTime.plus(-5, 3)).isEqualTo(-2);
    }

    @Test
    void cascadeAtTheFarEndOfTimeStillTakesItsCalls() throws Exception {
        Map<String, FinalAlert> alerts = RuleFixture.run(new CascadeRule(PACK, false), new CascadeRouting(PACK),
                sensor("s1", "GAS-1", GAS, 30, END, 31.30, 121.00, "320500"),
                call("c1", END + MINUTE, 31.30, 121.01, FIRE, "320500"),
                call("c2", END + 2 * MINUTE, 31.30, 121.02, FIRE, "320500"),
                call("c3", END + 3 * MINUTE, 31.30, 121.03, FIRE, "320500"));
        assertThat(alerts).containsOnlyKeys("INC-CASCADE:s1");
        assertThat(alerts.get("INC-CASCADE:s1").evidence()).containsExactly("CALL:c1", "CALL:c2", "CALL:c3", "SENSOR:s1");
    }

    @Test
    void burstAtTheFarEndOfTimeStaysOneBurst() throws Exception {
        Map<String, FinalAlert> alerts = RuleFixture.run(new BurstRule(PACK, false), new BurstRule.Route(),
                fraud("b1", END, "320500", 100, "PHONE", "13900000009"),
                fraud("b2", END + MINUTE, "320500", 100, "PHONE", "13900000009"),
                fraud("b3", END + 2 * MINUTE, "320500", 100, "PHONE", "13900000009"),
                fraud("b4", END + 3 * MINUTE, "320500", 100, "PHONE", "13900000009"),
                fraud("b5", END + 4 * MINUTE, "320500", 100, "PHONE", "13900000009"));
        assertThat(alerts).containsOnlyKeys("CYB-BURST:b1:PHONE-1");
        assertThat(alerts.get("CYB-BURST:b1:PHONE-1").evidence()).hasSize(5);
    }

    @Test
    void escalationOfAnAlertAtTheFarEndOfTimeIsNeverDueBeforeItsAlert() throws Exception {
        Chain c = new Chain("INC-CLUSTER", AlertKind.INCIDENT_CHAIN, "k0", "FIRE");
        c.add(new Evidence(StreamKind.CALL, "k0", END, 320500));
        c.add(new Evidence(StreamKind.CALL, "k1", END + MINUTE, 310100));
        c.fired = true;
        c.severity = Severity.HIGH;
        c.recordFirstSent();
        try (var h = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new EscalationFunction(Duration.ofDays(8))),
                AlertRevision::alertId, e -> e.ack().alertId(), Types.STRING)) {
            h.open();
            h.processElement1(Revisions.of(c, 1, MsgType.ALERT, PACK, null), END + MINUTE);
            h.processBothWatermarks(new Watermark(END + 5 * MINUTE));
            assertThat(h.extractOutputValues()).noneMatch(r -> r.kind() == AlertKind.ESCALATION);
            h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
            assertThat(h.extractOutputValues()).filteredOn(r -> r.kind() == AlertKind.ESCALATION)
                    .extracting(AlertRevision::detectedTs).containsOnly(Long.MAX_VALUE);
        }
    }
}
