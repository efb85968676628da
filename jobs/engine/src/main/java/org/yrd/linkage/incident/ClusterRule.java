package org.yrd.linkage.incident;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

/**
 * INC-CLUSTER (rules-v1.md): per call category, calls within 10 km of a cluster's anchor call and
 * within 20 min of it join the cluster; it fires at 5 or more calls from 2 or more provinces.
 */
public class ClusterRule extends AnchoredGroupRule {

    public static final String RULE_ID = "INC-CLUSTER";

    /** Routing to this rule's keys: every call to its category (the rule takes the categories of the pack in force). */
    public static final class Route implements FlatMapFunction<Event, Routed> {
        @Override
        public void flatMap(Event e, Collector<Routed> out) {
            if (e.stream() == StreamKind.CALL) {
                out.collect(new Routed(e.call().category().name(), e));
            }
        }
    }

    public ClusterRule(RulePack pack, boolean speculative) {
        super(pack, speculative);
    }

    @Override
    protected String ruleId() {
        return RULE_ID;
    }

    /** About the default radius of 10 km in latitude. */
    @Override
    double cellDegrees() {
        return 0.1;
    }

    @Override
    double radiusKm() {
        return pack().cluster().radiusKm();
    }

    @Override
    long windowMillis() {
        return pack().cluster().window().toMillis();
    }

    @Override
    boolean takes(Event e) {
        return pack().cluster().categories().contains(e.call().category());
    }

    @Override
    void evaluate(Group g) {
        RulePack.Cluster rule = pack().cluster();
        if (g.chain.size() >= rule.minCalls() && g.chain.provinceCount() >= rule.minProvinces()) {
            g.chain.fired = true;
            g.chain.severity = rule.severity();
        }
    }

    @Override
    double lat(Event e) {
        return e.call().lat();
    }

    @Override
    double lon(Event e) {
        return e.call().lon();
    }

    @Override
    String subject(Event e) {
        return e.call().category().name();
    }
}
