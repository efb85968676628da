package org.yrd.linkage.incident;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alerting.AlertJson;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.RuleFixture;

import java.nio.charset.StandardCharsets;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.model.CallCategory.FIRE;
import static org.yrd.linkage.model.SensorKind.GAS;
import static org.yrd.linkage.testing.Events.DAY;
import static org.yrd.linkage.testing.Events.HOUR;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.call;
import static org.yrd.linkage.testing.Events.sensor;

/**
 * The incident rules keep bounded state whatever the input does. A sensor that breaches every 10 s
 * keeps its INC-CASCADE incident open for as long as it does (rules-v1.md), so the incident must
 * not grow with its breaches: after 30 days its state is the size it was after one, and its alert
 * lists 200 events and counts them all. INC-SPREAD episodes and INC-CLUSTER clusters close with
 * their windows, so their state is that of one window's events.
 */
class BoundedIncidentStateTest {

    private static final RulePack PACK = RulePack.defaults();
    private static final long EVERY = 10_000;

    /** What a run left: the rule's state, the largest alert record it wrote, and what its last revision counted and listed. */
    private record Run(long stateBytes, int largestRecord, int evidenceCount, int listed) {}

    private static Event breach(long ts) {
        return sensor(String.format("s-%07d", (ts - T0) / EVERY), "GAS-1", GAS, 30, ts, 31.30, 121.00, "320500");
    }

    private static Event fireCall(long ts) {
        return call(String.format("c-%07d", (ts - T0) / EVERY), ts, 31.31, 121.00, FIRE, "320500");
    }

    /** Feeds one event every 10 s for {@code days} (and {@code last} in the final hour), committing hour by hour. */
    private static Run run(RuleFixture f, int days, LongFunction<Event> every, LongFunction<Event> last) throws Exception {
        long end = T0 + days * DAY;
        Run seen = new Run(0, 0, 0, 0);
        for (long t = T0; t < end; t += EVERY) {
            f.feed(every.apply(t));
            if (t >= end - HOUR && (t - T0) % (10 * MINUTE) == 0) {
                f.feed(last.apply(t + 1));
            }
            if ((t - T0) % HOUR == 0) {
                f.watermark(t);
                seen = seen(f, seen);
            }
        }
        f.watermark(end);
        seen = seen(f, seen);
        return new Run(f.stateBytes(), seen.largestRecord, seen.evidenceCount, seen.listed);
    }

    private static Run seen(RuleFixture f, Run sofar) {
        Run seen = sofar;
        for (AlertRevision r : f.revisions()) {
            int bytes = AlertJson.alert(r, r.recipients()[0]).getBytes(StandardCharsets.UTF_8).length;
            seen = new Run(0, Math.max(bytes, seen.largestRecord), r.evidenceCount(), r.evidence().length);
        }
        f.clearRevisions();
        return seen;
    }

    @Test
    void sensorBreachingEveryTenSecondsForThirtyDaysKeepsTheStateOfOneDayAndItsAlertListsTwoHundredOfAll() throws Exception {
        Run oneDay;
        Run thirtyDays;
        try (RuleFixture f = new RuleFixture(new CascadeRule(PACK, false), new CascadeRouting(PACK))) {
            oneDay = run(f, 1, BoundedIncidentStateTest::breach, BoundedIncidentStateTest::fireCall);
        }
        try (RuleFixture f = new RuleFixture(new CascadeRule(PACK, false), new CascadeRouting(PACK))) {
            thirtyDays = run(f, 30, BoundedIncidentStateTest::breach, BoundedIncidentStateTest::fireCall);
        }
        System.out.printf("INC-CASCADE state after 1 day %,d bytes, after 30 days %,d bytes; largest record %,d bytes%n",
                oneDay.stateBytes, thirtyDays.stateBytes, thirtyDays.largestRecord);
        // 259,200 breaches and the 6 calls of the last hour
        assertThat(thirtyDays.evidenceCount).isEqualTo(259_206);
        assertThat(thirtyDays.listed).isEqualTo(AlertRevision.MAX_EVIDENCE);
        assertThat(thirtyDays.largestRecord).isLessThan(100_000);
        assertThat(thirtyDays.stateBytes).isLessThan(oneDay.stateBytes * 11 / 10);
    }

    @Test
    void hazardInTwoProvincesForThreeDaysKeepsTheStateOfOneDay() throws Exception {
        Run oneDay;
        Run threeDays;
        // a hazard in Suzhou, and in the last hour also 45 km away in Shanghai: episodes of 6 h, one after another
        LongFunction<Event> shanghai = t -> sensor(String.format("sh-%07d", (t - T0) / EVERY), "GAS-2", GAS, 30, t, 31.23, 121.47, "310100");
        try (RuleFixture f = new RuleFixture(new SpreadRule(PACK, false), new SpreadRule.Route())) {
            oneDay = run(f, 1, BoundedIncidentStateTest::breach, shanghai);
        }
        try (RuleFixture f = new RuleFixture(new SpreadRule(PACK, false), new SpreadRule.Route())) {
            threeDays = run(f, 3, BoundedIncidentStateTest::breach, shanghai);
        }
        assertThat(threeDays.listed).isEqualTo(AlertRevision.MAX_EVIDENCE);
        assertThat(threeDays.stateBytes).isLessThan(oneDay.stateBytes * 11 / 10);
    }

    @Test
    void callsOfOneCategoryEveryTenSecondsForThreeDaysKeepTheStateOfOneDay() throws Exception {
        Run oneDay;
        Run threeDays;
        // calls in Suzhou, and in the last hour also in Shanghai: clusters of 20 min, one after another
        LongFunction<Event> shanghai = t -> call(String.format("sh-%07d", (t - T0) / EVERY), t, 31.31, 121.01, FIRE, "310100");
        try (RuleFixture f = new RuleFixture(new ClusterRule(PACK, false), new ClusterRule.Route())) {
            oneDay = run(f, 1, BoundedIncidentStateTest::fireCall, shanghai);
        }
        try (RuleFixture f = new RuleFixture(new ClusterRule(PACK, false), new ClusterRule.Route())) {
            threeDays = run(f, 3, BoundedIncidentStateTest::fireCall, shanghai);
        }
        assertThat(threeDays.evidenceCount).isPositive();
        assertThat(threeDays.stateBytes).isLessThan(oneDay.stateBytes * 11 / 10);
    }
}
