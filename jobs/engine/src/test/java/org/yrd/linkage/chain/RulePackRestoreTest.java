package org.yrd.linkage.chain;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.incident.SpreadRule;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;
import org.yrd.linkage.runtime.RulePacks;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.sensor;

/**
 * The rule pack in force is broadcast state of every rule operator: a snapshot taken after a live
 * update and restored at a higher parallelism (a rescale from a savepoint) applies the new pack on
 * every subtask, to every key that subtask now owns.
 */
class RulePackRestoreTest {

    private static final int MAX_PARALLELISM = 128;

    private static KeyedBroadcastOperatorTestHarness<String, Routed, String, AlertRevision> harness(int parallelism, int subtask) throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new SpreadRule(RulePack.defaults(), false), List.of(RulePacks.STATE)),
                Routed::key, Types.STRING, MAX_PARALLELISM, parallelism, subtask);
    }

    /** A sensor kind, the key of INC-SPREAD, that subtask {@code subtask} of {@code parallelism} owns. */
    private static SensorKind kindOwnedBy(int subtask, int parallelism) {
        for (SensorKind kind : SensorKind.values()) {
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(kind.name(), MAX_PARALLELISM, parallelism) == subtask) {
                return kind;
            }
        }
        throw new AssertionError("no sensor kind is owned by subtask " + subtask + " of " + parallelism);
    }

    @Test
    void packPublishedLiveIsInForceOnEverySubtaskAfterARestoreAtHigherParallelism() throws Exception {
        RulePack d = RulePack.defaults();
        RulePack v2 = new RulePack(d.id(), "2", d.hazards(), d.cascade(), d.spread(), d.cluster(), d.link(), d.burst(), d.escalation());
        OperatorSubtaskState snapshot;
        try (var h = harness(1, 0)) {
            h.open();
            h.processBroadcastElement(RulePackFile.toYaml(v2), 0);
            snapshot = h.snapshot(1, 1);
        }
        for (int subtask = 0; subtask < 3; subtask++) {
            SensorKind kind = kindOwnedBy(subtask, 3);
            try (var h = harness(3, subtask)) {
                h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, MAX_PARALLELISM, 1, 3, subtask));
                h.open();
                h.processBroadcastWatermark(new Watermark(Long.MAX_VALUE));
                // the same hazard in Suzhou and, 45 km away, in Shanghai: an INC-SPREAD alert
                Event suzhou = sensor("a-" + kind, "S-1", kind, 1e6, T0, 31.30, 121.00, "320500");
                Event shanghai = sensor("b-" + kind, "S-2", kind, 1e6, T0 + MINUTE, 31.23, 121.47, "310100");
                h.processElement(new Routed(kind.name(), suzhou), suzhou.ts());
                h.processElement(new Routed(kind.name(), shanghai), shanghai.ts());
                h.processWatermark(new Watermark(Long.MAX_VALUE));
                assertThat(h.extractOutputValues()).as("subtask %d of 3 (%s)", subtask, kind)
                        .extracting(r -> r.alertId() + " v" + r.ruleVersion()).containsExactly("INC-SPREAD:a-" + kind + " v2");
            }
        }
    }
}
