package org.yrd.linkage.pattern;

import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.region.Geo;
import org.yrd.linkage.rules.PatternRule;

/**
 * What a pattern's step asks of one event on its own (stream and {@code where}), and where an
 * event lies: shared by routing, which sends a pattern only the events one of its steps may
 * take, and by the steps' conditions inside the automaton.
 */
final class PatternEvents {

    private PatternEvents() {}

    /** True when the event is of the step's stream and meets every condition of its {@code where}. */
    static boolean meets(PatternRule.Step step, Event e) {
        if (e.stream() != step.stream()) {
            return false;
        }
        PatternRule.Where w = step.where();
        if (!w.cities().isEmpty() && !w.cities().contains(e.city())
                || !w.provinces().isEmpty() && !w.provinces().contains(e.province())) {
            return false;
        }
        switch (e.stream()) {
            case SENSOR:
                return (w.kinds().isEmpty() || w.kinds().contains(e.sensor().kind()))
                        && (w.value() == null || w.value().contains(e.sensor().value()));
            case CALL:
                return w.categories().isEmpty() || w.categories().contains(e.call().category());
            case FRAUD:
                return (w.fraudTypes().isEmpty() || w.fraudTypes().contains(e.fraud().fraudType()))
                        && (w.amountCny() == null || w.amountCny().contains(e.fraud().amountCny()));
            default:
                return false;
        }
    }

    /** True when some step of the pattern may take the event. */
    static boolean usable(PatternRule p, Event e) {
        for (PatternRule.Step s : p.steps()) {
            if (meets(s, e)) {
                return true;
            }
        }
        return false;
    }

    /** Sensor readings and calls have a position; fraud reports do not. */
    static boolean placed(Event e) {
        return e.stream() == StreamKind.SENSOR || e.stream() == StreamKind.CALL;
    }

    static double lat(Event e) {
        return e.stream() == StreamKind.SENSOR ? e.sensor().lat() : e.call().lat();
    }

    static double lon(Event e) {
        return e.stream() == StreamKind.SENSOR ? e.sensor().lon() : e.call().lon();
    }

    static double distanceKm(Event a, Event b) {
        return Geo.distanceKm(lat(a), lon(a), lat(b), lon(b));
    }

    /** What the event is about, for the alert's subject: a sensor kind, a call category or a fraud type. */
    static String subject(Event e) {
        switch (e.stream()) {
            case SENSOR:
                return e.sensor().kind().name();
            case CALL:
                return e.call().category().name();
            case FRAUD:
                return e.fraud().fraudType().name();
            default:
                return null;
        }
    }
}
