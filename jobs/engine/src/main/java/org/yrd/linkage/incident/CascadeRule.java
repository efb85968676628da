package org.yrd.linkage.incident;

import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.chain.Chain;
import org.yrd.linkage.chain.ValueStateRule;
import org.yrd.linkage.model.EmergencyCall;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.SensorReading;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.region.Geo;
import org.yrd.linkage.region.Grid;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EventTime;

import java.util.Iterator;

/**
 * INC-CASCADE (rules-v1.md): a breach of sensor S opens an incident of S, further breaches extend
 * it to 30 min after the last one, related calls within 15 km join, and 3 joined calls fire it.
 * Keyed by the grid cell of the sensor; calls reach the 3x3 cells around them, so each
 * (sensor, call) pair meets in exactly one cell, the sensor's.
 */
public class CascadeRule extends ValueStateRule<CascadeCell> {

    public static final String RULE_ID = "INC-CASCADE";

    public CascadeRule(RulePack pack, boolean speculative) {
        super(pack, speculative, CascadeCell.class);
    }

    /** The grid that both routing and this rule agree on. */
    public static Grid grid(RulePack pack) {
        return new Grid(pack.cascade().radiusKm());
    }

    @Override
    protected String ruleId() {
        return RULE_ID;
    }

    @Override
    protected CascadeCell emptyState() {
        return new CascadeCell();
    }

    @Override
    protected boolean isEmpty(CascadeCell cell) {
        return cell.open.isEmpty();
    }

    @Override
    protected void apply(CascadeCell cell, Event e, Effects fx) {
        RulePack.Cascade rule = pack().cascade();
        long window = rule.window().toMillis();
        if (e.stream() == StreamKind.SENSOR) {
            SensorReading r = e.sensor();
            if (!pack().isBreach(r.kind(), r.value())) {
                return;
            }
            Incident inc = latestOf(cell, r.sensorId());
            if (inc != null && r.ts() <= EventTime.plus(inc.lastBreachTs, window)) {
                inc.lastBreachTs = Math.max(inc.lastBreachTs, r.ts());
                inc.chain.add(new Evidence(StreamKind.SENSOR, r.id(), r.ts(), e.city()));
                if (inc.chain.fired) {
                    fx.touched(inc.chain);
                }
            } else {
                inc = open(r, e.city());
                fx.opened();
                cell.open.put(inc.chain.alertId, inc);
            }
            fx.wakeAt(EventTime.plus(inc.lastBreachTs, window));
            return;
        }
        EmergencyCall c = e.call();
        for (Incident inc : cell.open.values()) {
            if (c.ts() >= inc.t0 && c.ts() <= EventTime.plus(inc.lastBreachTs, window)
                    && pack().related(SensorKind.valueOf(inc.kind), c.category())
                    && Geo.distanceKm(c.lat(), c.lon(), inc.lat, inc.lon) <= rule.radiusKm()) {
                inc.calls++;
                inc.chain.add(new Evidence(StreamKind.CALL, c.id(), c.ts(), e.city()));
                if (inc.calls >= rule.minCalls()) {
                    inc.chain.fired = true;
                    inc.chain.severity = inc.chain.provinceCount() >= 2 ? rule.crossProvinceSeverity() : rule.severity();
                    fx.touched(inc.chain);
                }
            }
        }
    }

    /** The sensor's most recent incident, open or closed-but-not-yet-expired. */
    private static Incident latestOf(CascadeCell cell, String sensorId) {
        Incident latest = null;
        for (Incident inc : cell.open.values()) {
            if (inc.sensorId.equals(sensorId) && (latest == null || inc.t0 > latest.t0)) {
                latest = inc;
            }
        }
        return latest;
    }

    private Incident open(SensorReading r, int city) {
        Incident inc = new Incident();
        inc.sensorId = r.sensorId();
        inc.kind = r.kind().name();
        inc.lat = r.lat();
        inc.lon = r.lon();
        inc.t0 = r.ts();
        inc.lastBreachTs = r.ts();
        inc.chain = new Chain(RULE_ID, AlertKind.INCIDENT_CHAIN, r.id(), inc.kind);
        inc.chain.hasLocation = true;
        inc.chain.lat = r.lat();
        inc.chain.lon = r.lon();
        inc.chain.radiusKm = pack().cascade().radiusKm();
        inc.chain.add(new Evidence(StreamKind.SENSOR, r.id(), r.ts(), city));
        return inc;
    }

    @Override
    protected Chain chain(CascadeCell cell, String alertId) {
        Incident inc = cell.open.get(alertId);
        return inc == null ? null : inc.chain;
    }

    @Override
    protected void expire(CascadeCell cell, long watermark, Effects fx) {
        long window = pack().cascade().window().toMillis();
        for (Iterator<Incident> it = cell.open.values().iterator(); it.hasNext(); ) {
            Incident inc = it.next();
            if (EventTime.plus(inc.lastBreachTs, window) <= watermark) {
                fx.finalised(inc.chain.alertId);
                it.remove();
            }
        }
    }
}
