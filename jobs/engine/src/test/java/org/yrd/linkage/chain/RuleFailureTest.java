package org.yrd.linkage.chain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.incident.CascadeCell;
import org.yrd.linkage.incident.CascadeRouting;
import org.yrd.linkage.incident.CascadeRule;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.FinalAlert;
import org.yrd.linkage.testing.RuleFixture;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.model.CallCategory.FIRE;
import static org.yrd.linkage.model.SensorKind.GAS;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.call;
import static org.yrd.linkage.testing.Events.sensor;

/**
 * A rule that throws on one event (a bug, or input no one foresaw) costs that event a dead letter,
 * never the job: the rule's output goes on, in replay order and in live (speculative) mode alike.
 */
class RuleFailureTest {

    private static final RulePack PACK = RulePack.defaults();

    /** INC-CASCADE with a bug: it throws on the call {@code poison} where an incident is open. */
    private static final class ThrowsOnPoison extends CascadeRule {
        ThrowsOnPoison(boolean speculative) {
            super(PACK, speculative);
        }

        @Override
        protected void apply(CascadeCell cell, Event e, Effects fx) {
            if (e.id().equals("poison") && !cell.open.isEmpty()) {
                throw new IllegalStateException("cannot take call poison of 13912345678");
            }
            super.apply(cell, e, fx);
        }
    }

    private static Event breach(String id, long ts) {
        return sensor(id, "GAS-1", GAS, 30, ts, 31.30, 121.0, "320500");
    }

    private static Event fire(String id, long ts) {
        return call(id, ts, 31.31, 121.0, FIRE, "320500");
    }

    @ParameterizedTest(name = "speculative: {0}")
    @ValueSource(booleans = {false, true})
    void eventTheRuleThrowsOnIsDeadLetteredOnceAndTheAlertFiresWithoutIt(boolean speculative) throws Exception {
        try (RuleFixture f = new RuleFixture(new ThrowsOnPoison(speculative), new CascadeRouting(PACK))) {
            f.feed(breach("s1", T0), fire("c1", T0 + MINUTE), fire("poison", T0 + 2 * MINUTE));
            f.watermark(T0 + 2 * MINUTE);
            f.feed(fire("c2", T0 + 3 * MINUTE), fire("c3", T0 + 4 * MINUTE));
            Map<String, FinalAlert> alerts = f.finish();

            assertThat(alerts.get("INC-CASCADE:s1").evidence()).containsExactly("CALL:c1", "CALL:c2", "CALL:c3", "SENSOR:s1");
            assertThat(f.failures()).singleElement().satisfies(d -> {
                assertThat(d.stream()).isEqualTo(StreamKind.CALL);
                assertThat(d.reason()).isEqualTo(DeadLetter.Reason.SCHEMA);
                assertThat(d.detail()).isEqualTo("internal error in INC-CASCADE: java.lang.IllegalStateException: "
                        + "cannot take call poison of 13912345678");
                assertThat(d.raw()).isEqualTo("id poison, ts " + (T0 + 2 * MINUTE));
            });
        }
    }

    @Test
    void revisionThatCannotBeBuiltIsADeadLetterOfItsAlertAndOtherAlertsGoOn() throws Exception {
        // a bug that corrupts the chain of sensor s1 (evidence without an id) once its alert stands
        CascadeRule corrupting = new CascadeRule(PACK, false) {
            @Override
            protected void apply(CascadeCell cell, Event e, Effects fx) {
                super.apply(cell, e, fx);
                if (e.id().equals("c4") && cell.open.containsKey("INC-CASCADE:s1")) {
                    cell.open.get("INC-CASCADE:s1").chain.add(new Evidence(StreamKind.CALL, null, e.ts(), e.city()));
                    fx.touched(cell.open.get("INC-CASCADE:s1").chain);
                }
            }
        };
        try (RuleFixture f = new RuleFixture(corrupting, new CascadeRouting(PACK))) {
            f.feed(breach("s1", T0), fire("c1", T0 + MINUTE), fire("c2", T0 + 2 * MINUTE), fire("c3", T0 + 3 * MINUTE),
                    fire("c4", T0 + 4 * MINUTE),
                    sensor("t1", "GAS-2", GAS, 30, T0 + 5 * MINUTE, 31.60, 121.0, "320500"),
                    call("d1", T0 + 6 * MINUTE, 31.61, 121.0, FIRE, "320500"), call("d2", T0 + 7 * MINUTE, 31.61, 121.0, FIRE, "320500"),
                    call("d3", T0 + 8 * MINUTE, 31.61, 121.0, FIRE, "320500"));
            f.finish();

            assertThat(f.revisions()).extracting(AlertRevision::alertId).containsExactly("INC-CASCADE:s1", "INC-CASCADE:t1");
            assertThat(f.failures()).extracting(DeadLetter::raw).containsOnly("alert INC-CASCADE:s1");
            assertThat(f.failures()).allSatisfy(d -> assertThat(d.detail()).startsWith("internal error in INC-CASCADE: java.lang.NullPointerException"));
        }
    }
}
