package org.yrd.linkage.cyber;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.chain.Chain;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.chain.ValueStateRule;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.FraudReport;
import org.yrd.linkage.model.Identifier;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EventTime;

import java.util.Iterator;

/**
 * CYB-BURST (rules-v1.md): per identifier, a report opens a burst when none is open; the burst
 * stays open while reports keep coming at most 60 min apart; 5 reports fire it. Applies within one
 * province too: it asks for an urgent stop-payment. Keyed by identifier ({@link Identifier#key()}).
 */
public class BurstRule extends ValueStateRule<Bursts> {

    public static final String RULE_ID = "CYB-BURST";

    /** Routing to this rule's keys: a report to each identifier it names. */
    public static final class Route implements FlatMapFunction<Event, Routed> {
        @Override
        public void flatMap(Event e, Collector<Routed> out) {
            if (e.stream() == StreamKind.FRAUD) {
                for (Identifier id : e.fraud().identifiers()) {
                    out.collect(new Routed(id.key(), e));
                }
            }
        }
    }

    public BurstRule(RulePack pack, boolean speculative) {
        super(pack, speculative, Bursts.class);
    }

    @Override
    protected String ruleId() {
        return RULE_ID;
    }

    @Override
    protected Bursts emptyState() {
        return new Bursts();
    }

    @Override
    protected boolean isEmpty(Bursts bursts) {
        return bursts.open.isEmpty();
    }

    @Override
    protected void apply(Bursts bursts, Event e, Effects fx) {
        RulePack.Burst rule = pack().burst();
        long gap = rule.quietGap().toMillis();
        FraudReport r = e.fraud();
        int position = positionOf(r, currentKey());
        Identifier id = r.identifiers()[position - 1];
        Burst b = bursts.open.isEmpty() ? null : bursts.open.get(bursts.open.size() - 1);
        if (b == null || r.ts() > EventTime.plus(b.lastTs, gap)) {
            b = new Burst();
            b.chain = new Chain(RULE_ID, AlertKind.CYBER_BURST, r.id() + ':' + id.type().name() + '-' + position, r.fraudType().name());
            b.chain.addIdentifier(id.masked());
            bursts.open.add(b);
            fx.opened();
        }
        b.lastTs = Math.max(b.lastTs, r.ts());
        b.chain.add(new Evidence(StreamKind.FRAUD, r.id(), r.ts(), e.city()));
        b.chain.lossCny += r.amountCny();
        if (b.chain.size() >= rule.minReports()) {
            b.chain.fired = true;
            b.chain.severity = rule.severity();
            fx.touched(b.chain);
        }
        fx.wakeAt(EventTime.plus(b.lastTs, gap));
    }

    /**
     * The 1-based position of the identifier among the report's distinct identifiers, in the order
     * the report lists them: what names a burst in its alert id (rules-v1.md), so that the id
     * carries nothing derived from the identifier's value.
     */
    private static int positionOf(FraudReport r, String key) {
        Identifier[] ids = r.identifiers();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].key().equals(key)) {
                return i + 1;
            }
        }
        throw new IllegalStateException("report routed to an identifier it does not name");
    }

    @Override
    protected Chain chain(Bursts bursts, String alertId) {
        for (Burst b : bursts.open) {
            if (b.chain.alertId.equals(alertId)) {
                return b.chain;
            }
        }
        return null;
    }

    @Override
    protected void expire(Bursts bursts, long watermark, Effects fx) {
        long gap = pack().burst().quietGap().toMillis();
        for (Iterator<Burst> it = bursts.open.iterator(); it.hasNext(); ) {
            Burst b = it.next();
            if (EventTime.plus(b.lastTs, gap) <= watermark) {
                fx.finalised(b.chain.alertId);
                it.remove();
            }
        }
    }
}
