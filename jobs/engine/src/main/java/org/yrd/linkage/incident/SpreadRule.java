package org.yrd.linkage.incident;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

/**
 * INC-SPREAD (rules-v1.md): per sensor kind, breaches within 50 km of an episode's anchor breach
 * and within 6 h of it join the episode; it fires once its breaches come from 2 or more provinces.
 */
public class SpreadRule extends AnchoredGroupRule {

    public static final String RULE_ID = "INC-SPREAD";

    /** Routing to this rule's keys: every breach to its sensor kind (exact INC-SPREAD needs all breaches of a kind in one key). */
    public static final class Route implements FlatMapFunction<Event, Routed> {
        @Override
        public void flatMap(Event e, Collector<Routed> out) {
            if (e.stream() == StreamKind.SENSOR) {
                out.collect(new Routed(e.sensor().kind().name(), e));
            }
        }
    }

    public SpreadRule(RulePack pack, boolean speculative) {
        super(pack, speculative);
    }

    @Override
    protected String ruleId() {
        return RULE_ID;
    }

    /** About the default radius of 50 km in latitude. */
    @Override
    double cellDegrees() {
        return 0.5;
    }

    @Override
    double radiusKm() {
        return pack().spread().radiusKm();
    }

    @Override
    long windowMillis() {
        return pack().spread().window().toMillis();
    }

    @Override
    boolean takes(Event e) {
        return pack().isBreach(e.sensor().kind(), e.sensor().value());
    }

    @Override
    void evaluate(Group g) {
        if (g.chain.provinceCount() >= pack().spread().minProvinces()) {
            g.chain.fired = true;
            g.chain.severity = pack().spread().severity();
        }
    }

    @Override
    double lat(Event e) {
        return e.sensor().lat();
    }

    @Override
    double lon(Event e) {
        return e.sensor().lon();
    }

    @Override
    String subject(Event e) {
        return e.sensor().kind().name();
    }
}
