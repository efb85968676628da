package org.yrd.linkage.incident;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.FinalAlert;
import org.yrd.linkage.testing.RuleFixture;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.model.CallCategory.FIRE;
import static org.yrd.linkage.model.CallCategory.GAS_LEAK;
import static org.yrd.linkage.model.CallCategory.TRAFFIC_ACCIDENT;
import static org.yrd.linkage.model.SensorKind.GAS;
import static org.yrd.linkage.model.SensorKind.WATER_LEVEL;
import static org.yrd.linkage.testing.Events.DEG_PER_KM;
import static org.yrd.linkage.testing.Events.HOUR;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.call;
import static org.yrd.linkage.testing.Events.sensor;

/** The edges of INC-CASCADE, INC-SPREAD and INC-CLUSTER (rules-v1.md), each rule in an operator harness. */
class IncidentRulesTest {

    private static final RulePack PACK = RulePack.defaults();
    /** A gas sensor in Suzhou, Jiangsu, near the Shanghai border. */
    private static final double LAT = 31.30;
    private static final double LON = 121.00;

    private static Map<String, FinalAlert> cascade(Event... events) throws Exception {
        return RuleFixture.run(new CascadeRule(PACK, false), new CascadeRouting(PACK), events);
    }

    private static Event breach(String id, long ts) {
        return sensor(id, "GAS-1", GAS, 30, ts, LAT, LON, "320500");
    }

    /** A call {@code km} north of the sensor. */
    private static Event callNorth(String id, long ts, double km, String cityCode) {
        return call(id, ts, LAT + km * DEG_PER_KM, LON, FIRE, cityCode);
    }

    @Test
    void callAt14point9KmJoinsAndAt15point1KmDoesNot() throws Exception {
        Map<String, FinalAlert> alerts = cascade(
                breach("s1", T0),
                callNorth("c1", T0 + MINUTE, 1, "320500"),
                callNorth("c2", T0 + 2 * MINUTE, 2, "320500"),
                callNorth("c3", T0 + 3 * MINUTE, 15.1, "320500"),
                callNorth("c4", T0 + 4 * MINUTE, 14.9, "320500"));
        assertThat(alerts).containsOnlyKeys("INC-CASCADE:s1");
        assertThat(alerts.get("INC-CASCADE:s1").evidence()).containsExactly("CALL:c1", "CALL:c2", "CALL:c4", "SENSOR:s1");
    }

    @Test
    void callExactlyAtThirtyMinutesJoinsAndOneMillisecondLaterDoesNot() throws Exception {
        Map<String, FinalAlert> alerts = cascade(
                breach("s1", T0),
                callNorth("c1", T0 + MINUTE, 1, "320500"),
                callNorth("c2", T0 + 2 * MINUTE, 1, "320500"),
                callNorth("late", T0 + 30 * MINUTE + 1, 1, "320500"),
                callNorth("edge", T0 + 30 * MINUTE, 1, "320500"));
        assertThat(alerts.get("INC-CASCADE:s1").evidence()).containsExactly("CALL:c1", "CALL:c2", "CALL:edge", "SENSOR:s1");
    }

    @Test
    void twoCallsShortOfThreeRaiseNoAlert() throws Exception {
        assertThat(cascade(breach("s1", T0), callNorth("c1", T0 + MINUTE, 1, "320500"),
                callNorth("c2", T0 + 2 * MINUTE, 1, "320500"))).isEmpty();
    }

    @Test
    void callJoinsTheIncidentsOfTwoSensors() throws Exception {
        Map<String, FinalAlert> alerts = cascade(
                breach("a", T0),
                sensor("b", "GAS-2", GAS, 40, T0, LAT + 10 * DEG_PER_KM, LON, "320500"),
                callNorth("c1", T0 + MINUTE, 5, "320500"),
                callNorth("c2", T0 + 2 * MINUTE, 5, "320500"),
                callNorth("c3", T0 + 3 * MINUTE, 5, "320500"));
        assertThat(alerts).containsOnlyKeys("INC-CASCADE:a", "INC-CASCADE:b");
        assertThat(alerts.get("INC-CASCADE:a").evidence()).contains("CALL:c1", "CALL:c2", "CALL:c3");
        assertThat(alerts.get("INC-CASCADE:b").evidence()).contains("CALL:c1", "CALL:c2", "CALL:c3");
    }

    @Test
    void repeatedBreachesExtendTheIncidentWindow() throws Exception {
        Map<String, FinalAlert> alerts = cascade(
                breach("s1", T0),
                breach("s2", T0 + 25 * MINUTE),
                breach("s3", T0 + 50 * MINUTE),
                callNorth("c1", T0 + 60 * MINUTE, 1, "320500"),
                callNorth("c2", T0 + 70 * MINUTE, 1, "320500"),
                callNorth("c3", T0 + 80 * MINUTE, 1, "320500"));
        assertThat(alerts).containsOnlyKeys("INC-CASCADE:s1");
        assertThat(alerts.get("INC-CASCADE:s1").evidence())
                .containsExactly("CALL:c1", "CALL:c2", "CALL:c3", "SENSOR:s1", "SENSOR:s2", "SENSOR:s3");
    }

    @Test
    void breachAfterTheWindowOpensANewIncident() throws Exception {
        Map<String, FinalAlert> alerts = cascade(
                breach("s1", T0),
                breach("s2", T0 + 31 * MINUTE),
                callNorth("c1", T0 + 32 * MINUTE, 1, "320500"),
                callNorth("c2", T0 + 33 * MINUTE, 1, "320500"),
                callNorth("c3", T0 + 34 * MINUTE, 1, "320500"));
        assertThat(alerts).containsOnlyKeys("INC-CASCADE:s2");
    }

    @Test
    void ruleSwitchedOffInThePackRaisesNothing() throws Exception {
        RulePack.Cascade c = PACK.cascade();
        RulePack off = new RulePack(PACK.id(), "off", PACK.hazards(),
                new RulePack.Cascade(false, c.radiusKm(), c.window(), c.minCalls(), c.severity(), c.crossProvinceSeverity()),
                PACK.spread(), PACK.cluster(), PACK.link(), PACK.burst(), PACK.escalation());
        assertThat(RuleFixture.run(new CascadeRule(off, false), new CascadeRouting(off), breach("s1", T0),
                callNorth("c1", T0 + MINUTE, 1, "320500"), callNorth("c2", T0 + 2 * MINUTE, 1, "320500"),
                callNorth("c3", T0 + 3 * MINUTE, 1, "320500"))).isEmpty();
    }

    @Test
    void unrelatedCallsDoNotJoin() throws Exception {
        assertThat(cascade(breach("s1", T0),
                call("c1", T0 + MINUTE, LAT, LON, TRAFFIC_ACCIDENT, "320500"),
                call("c2", T0 + MINUTE, LAT, LON, TRAFFIC_ACCIDENT, "320500"),
                call("c3", T0 + MINUTE, LAT, LON, TRAFFIC_ACCIDENT, "320500"))).isEmpty();
    }

    @Test
    void cascadeAcrossBorderIsCriticalAndAlertsBothProvinces() throws Exception {
        Map<String, FinalAlert> alerts = cascade(
                breach("s1", T0),
                callNorth("c1", T0 + MINUTE, 1, "320500"),
                callNorth("c2", T0 + 2 * MINUTE, 1, "320500"),
                callNorth("c3", T0 + 3 * MINUTE, 1, "320500"),
                call("c4", T0 + 4 * MINUTE, LAT, LON + 5 * DEG_PER_KM, GAS_LEAK, "310115"));
        FinalAlert a = alerts.get("INC-CASCADE:s1");
        assertThat(a.severity()).isEqualTo("CRITICAL");
        assertThat(a.recipients()).containsExactly("310000", "320000");
        assertThat(a.provinces()).containsExactly("310000", "320000");
    }

    @Test
    void provinceJoiningAnAlertReceivesTheUpdate() throws Exception {
        try (RuleFixture f = new RuleFixture(new CascadeRule(PACK, false), new CascadeRouting(PACK))) {
            f.feed(breach("s1", T0),
                    callNorth("c1", T0 + MINUTE, 1, "320500"),
                    callNorth("c2", T0 + 2 * MINUTE, 1, "320500"),
                    callNorth("c3", T0 + 3 * MINUTE, 1, "320500"),
                    call("c4", T0 + 4 * MINUTE, LAT, LON + 5 * DEG_PER_KM, GAS_LEAK, "310115"));
            f.finish();
            assertThat(f.revisions()).extracting(r -> r.revision() + " " + r.msgType() + " " + r.severity() + " " + String.join(",", r.recipients()))
                    .containsExactly("1 ALERT HIGH 320000", "2 UPDATE CRITICAL 310000,320000");
        }
    }

    @Test
    void sixClusterCallsInOneProvinceGiveNoAlertAndASeventhAcrossTheBorderDoes() throws Exception {
        Event[] six = new Event[6];
        for (int i = 0; i < 6; i++) {
            six[i] = call("k" + i, T0 + i * MINUTE, LAT, LON + i * DEG_PER_KM, TRAFFIC_ACCIDENT, "320500");
        }
        assertThat(RuleFixture.run(new ClusterRule(PACK, false), new ClusterRule.Route(), six)).isEmpty();

        Event seventh = call("k6", T0 + 7 * MINUTE, LAT, LON + 8 * DEG_PER_KM, TRAFFIC_ACCIDENT, "310114");
        Event[] seven = java.util.Arrays.copyOf(six, 7);
        seven[6] = seventh;
        Map<String, FinalAlert> alerts = RuleFixture.run(new ClusterRule(PACK, false), new ClusterRule.Route(), seven);
        assertThat(alerts).containsOnlyKeys("INC-CLUSTER:k0");
        assertThat(alerts.get("INC-CLUSTER:k0").recipients()).containsExactly("310000", "320000");
        assertThat(alerts.get("INC-CLUSTER:k0").evidence()).hasSize(7);
    }

    @Test
    void clusterCallJustOutsideTenKmOrTwentyMinutesOpensItsOwnCluster() throws Exception {
        Map<String, FinalAlert> alerts = RuleFixture.run(new ClusterRule(PACK, false), new ClusterRule.Route(),
                call("k0", T0, LAT, LON, TRAFFIC_ACCIDENT, "320500"),
                call("k1", T0 + MINUTE, LAT, LON, TRAFFIC_ACCIDENT, "320500"),
                call("k2", T0 + 2 * MINUTE, LAT, LON, TRAFFIC_ACCIDENT, "310114"),
                call("k3", T0 + 3 * MINUTE, LAT, LON, TRAFFIC_ACCIDENT, "310114"),
                call("far", T0 + 4 * MINUTE, LAT + 10.1 * DEG_PER_KM, LON, TRAFFIC_ACCIDENT, "310114"),
                call("later", T0 + 20 * MINUTE + 1, LAT, LON, TRAFFIC_ACCIDENT, "310114"),
                call("k4", T0 + 20 * MINUTE, LAT + 9.9 * DEG_PER_KM, LON, TRAFFIC_ACCIDENT, "310114"));
        assertThat(alerts).containsOnlyKeys("INC-CLUSTER:k0");
        assertThat(alerts.get("INC-CLUSTER:k0").evidence())
                .containsExactly("CALL:k0", "CALL:k1", "CALL:k2", "CALL:k3", "CALL:k4");
    }

    @Test
    void spreadWithinOneProvinceGivesNoAlert() throws Exception {
        assertThat(RuleFixture.run(new SpreadRule(PACK, false), new SpreadRule.Route(),
                sensor("w1", "W-1", WATER_LEVEL, 6, T0, LAT, LON, "320500"),
                sensor("w2", "W-2", WATER_LEVEL, 6, T0 + HOUR, LAT + 20 * DEG_PER_KM, LON, "320500"))).isEmpty();
    }

    @Test
    void spreadAcrossTwoProvincesWithinSixHoursAndFiftyKmIsCritical() throws Exception {
        Map<String, FinalAlert> alerts = RuleFixture.run(new SpreadRule(PACK, false), new SpreadRule.Route(),
                sensor("w1", "W-1", WATER_LEVEL, 6, T0, LAT, LON, "320500"),
                sensor("far", "W-3", WATER_LEVEL, 6, T0 + HOUR, LAT + 50.1 * DEG_PER_KM, LON, "310114"),
                sensor("w2", "W-2", WATER_LEVEL, 6, T0 + 6 * HOUR, LAT + 49.9 * DEG_PER_KM, LON, "310114"),
                sensor("late", "W-2", WATER_LEVEL, 6, T0 + 6 * HOUR + 1, LAT, LON, "310114"));
        assertThat(alerts).containsKey("INC-SPREAD:w1");
        FinalAlert a = alerts.get("INC-SPREAD:w1");
        assertThat(a.severity()).isEqualTo("CRITICAL");
        assertThat(a.evidence()).containsExactly("SENSOR:w1", "SENSOR:w2");
        assertThat(a.recipients()).containsExactly("310000", "320000");
    }
}
