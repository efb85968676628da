package org.yrd.linkage.chain;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.incident.CascadeRouting;
import org.yrd.linkage.testing.Router;
import org.yrd.linkage.incident.CascadeRule;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.RuleFixture;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.model.CallCategory.FIRE;
import static org.yrd.linkage.model.SensorKind.GAS;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.call;
import static org.yrd.linkage.testing.Events.sensor;

/**
 * After a restore from a checkpoint, revisions sent since that checkpoint are sent again, maybe
 * from events in another order: their numbers must never be reused for other content.
 */
class RecoveryRevisionTest {

    private static final RulePack PACK = RulePack.defaults();

    private static KeyedBroadcastOperatorTestHarness<String, Routed, String, AlertRevision> harness() throws Exception {
        return RuleFixture.harness(new CascadeRule(PACK, true));
    }

    private static void feed(KeyedBroadcastOperatorTestHarness<String, Routed, String, AlertRevision> h, Event... events) throws Exception {
        try (Router routing = new Router(new CascadeRouting(PACK))) {
            RuleFixture.feed(h, routing, events);
        }
    }

    private static Event fire(String id, long ts, double lat) {
        return call(id, ts, lat, 121.0, FIRE, "320500");
    }

    @Test
    void revisionsAfterARestoreSkipEveryNumberThatMayHaveBeenSentBeforeTheFailure() throws Exception {
        OperatorSubtaskState checkpoint;
        List<AlertRevision> beforeFailure;
        try (var h = harness()) {
            h.open();
            feed(h, sensor("s1", "G1", GAS, 30, T0, 31.30, 121.0, "320500"),
                    fire("c1", T0 + MINUTE, 31.31), fire("c2", T0 + 2 * MINUTE, 31.31), fire("c3", T0 + 3 * MINUTE, 31.31));
            checkpoint = h.snapshot(1L, 1L);
            feed(h, fire("c4", T0 + 4 * MINUTE, 31.31));
            beforeFailure = h.extractOutputValues();
        }
        assertThat(beforeFailure).extracting(AlertRevision::revision).containsExactly(1, 2);

        try (var h = harness()) {
            h.initializeState(checkpoint);
            h.open();
            feed(h, fire("c4", T0 + 4 * MINUTE, 31.31),
                    sensor("s9", "G9", GAS, 30, T0 + 5 * MINUTE, 31.31, 121.0, "320500"),
                    fire("c5", T0 + 6 * MINUTE, 31.311), fire("c6", T0 + 6 * MINUTE, 31.312), fire("c7", T0 + 7 * MINUTE, 31.313));
            List<AlertRevision> after = h.extractOutputValues();
            assertThat(after).filteredOn(r -> r.alertId().equals("INC-CASCADE:s1"))
                    .extracting(AlertRevision::revision).startsWith(1002);
            assertThat(after).filteredOn(r -> r.alertId().equals("INC-CASCADE:s9"))
                    .extracting(AlertRevision::revision).first().isEqualTo(1001);
        }
    }
}
