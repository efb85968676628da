package org.yrd.linkage.incident;

import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.chain.Chain;
import org.yrd.linkage.chain.ValueStateRule;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.region.Geo;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EventTime;

import java.util.Iterator;

/**
 * The shape INC-SPREAD and INC-CLUSTER share: an event that joins no open group opens one (it is
 * the anchor); a group is open for a window after its anchor, inclusive; an event joins every open
 * group whose anchor lies within the radius. Whether an event opens a group depends on every open
 * group near it, and those on the groups near them, so the exact semantics need all events of one
 * sensor kind (or call category) on one key: these rules are keyed by kind, not by place.
 */
abstract class AnchoredGroupRule extends ValueStateRule<Groups> {

    AnchoredGroupRule(RulePack pack, boolean speculative) {
        super(pack, speculative, Groups.class);
    }


    abstract double radiusKm();

    abstract long windowMillis();

    /** Whether the pack in force lets this rule take the event (categories and thresholds change live). */
    abstract boolean takes(Event e);

    /** Sets {@code fired} and severity once the group meets the rule. */
    abstract void evaluate(Group g);

    abstract double lat(Event e);

    abstract double lon(Event e);

    abstract String subject(Event e);

    @Override
    protected Groups emptyState() {
        return new Groups();
    }

    @Override
    protected boolean isEmpty(Groups groups) {
        return groups.open.isEmpty();
    }

    @Override
    protected void apply(Groups groups, Event e, Effects fx) {
        if (!takes(e)) {
            return;
        }
        double lat = lat(e);
        double lon = lon(e);
        Evidence evidence = new Evidence(e.stream(), e.id(), e.ts(), e.city());
        boolean joined = false;
        for (Group g : groups.open) {
            if (e.ts() <= EventTime.plus(g.anchorTs, windowMillis()) && Geo.distanceKm(lat, lon, g.lat, g.lon) <= radiusKm()) {
                joined = true;
                g.chain.add(evidence);
                evaluate(g);
                if (g.chain.fired) {
                    fx.touched(g.chain);
                }
            }
        }
        if (!joined) {
            Group g = new Group();
            g.lat = lat;
            g.lon = lon;
            g.anchorTs = e.ts();
            g.chain = new Chain(ruleId(), AlertKind.INCIDENT_CHAIN, e.id(), subject(e));
            g.chain.hasLocation = true;
            g.chain.lat = lat;
            g.chain.lon = lon;
            g.chain.radiusKm = radiusKm();
            g.chain.add(evidence);
            evaluate(g);
            if (g.chain.fired) {
                fx.touched(g.chain);
            }
            groups.open.add(g);
            fx.opened();
            fx.wakeAt(EventTime.plus(g.anchorTs, windowMillis()));
        }
    }

    @Override
    protected Chain chain(Groups groups, String alertId) {
        for (Group g : groups.open) {
            if (g.chain.alertId.equals(alertId)) {
                return g.chain;
            }
        }
        return null;
    }

    @Override
    protected void expire(Groups groups, long watermark, Effects fx) {
        for (Iterator<Group> it = groups.open.iterator(); it.hasNext(); ) {
            Group g = it.next();
            if (EventTime.plus(g.anchorTs, windowMillis()) <= watermark) {
                fx.finalised(g.chain.alertId);
                it.remove();
            }
        }
    }
}
