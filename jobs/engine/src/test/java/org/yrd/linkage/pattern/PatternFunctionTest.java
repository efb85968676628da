package org.yrd.linkage.pattern;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.FinalAlert;
import org.yrd.linkage.testing.PatternCases;
import org.yrd.linkage.testing.RuleFixture;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.yrd.linkage.testing.PatternCases.FLOOD_RESCUE;
import static org.yrd.linkage.testing.PatternCases.IMPERSONATION_MISSING;
import static org.yrd.linkage.testing.PatternCases.INVESTMENT_WAVE;

/**
 * The worked patterns of config/rules/examples on the cases built for them (PatternCases), in an
 * operator harness: exactly the alerts each case states, in event-time order and out of it.
 */
class PatternFunctionTest {

    private static Map<String, FinalAlert> run(RulePack pack, boolean speculative, List<PatternCases.Line> lines) throws Exception {
        return RuleFixture.run(new PatternFunction(pack, speculative), new PatternRouting(pack),
                PatternCases.events(lines).toArray(new Event[0]));
    }

    @Test
    void floodBreachFollowedByRescueCallsFromTwoProvincesAlertsAndEveryNearMissDoesNot() throws Exception {
        Map<String, FinalAlert> alerts = run(PatternCases.only(FLOOD_RESCUE), false, PatternCases.floodRescue());
        assertThat(alerts).containsOnlyKeys("PAT-FLOOD-RESCUE:f-s1");
        FinalAlert a = alerts.get("PAT-FLOOD-RESCUE:f-s1");
        assertThat(a.evidence()).containsExactly("CALL:f-c1", "CALL:f-c2", "CALL:f-c3", "SENSOR:f-s1");
        assertThat(a.provinces()).containsExactly("310000", "320000");
        assertThat(a.severity()).isEqualTo("CRITICAL");
        assertThat(a.kind()).isEqualTo("INCIDENT_CHAIN");
        assertThat(a.ruleId()).isEqualTo("PAT-FLOOD-RESCUE");
    }

    @Test
    void investmentWaveFromThreeProvincesWithinTenMinutesAlertsAndEveryNearMissDoesNot() throws Exception {
        Map<String, FinalAlert> alerts = run(PatternCases.only(INVESTMENT_WAVE), false, PatternCases.investmentWave());
        assertThat(alerts).containsOnlyKeys("PAT-INVESTMENT-WAVE:w-1");
        assertThat(alerts.get("PAT-INVESTMENT-WAVE:w-1").evidence())
                .containsExactly("FRAUD:w-1", "FRAUD:w-2", "FRAUD:w-3", "FRAUD:w-4", "FRAUD:w-5");
        assertThat(alerts.get("PAT-INVESTMENT-WAVE:w-1").kind()).isEqualTo("CYBER_CHAIN");
    }

    @Test
    void impersonationReportFollowedByMissingPersonCallInTheSameCityAlertsAndEveryNearMissDoesNot() throws Exception {
        Map<String, FinalAlert> alerts = run(PatternCases.only(IMPERSONATION_MISSING), false, PatternCases.impersonationMissing());
        assertThat(alerts).containsOnlyKeys("PAT-IMPERSONATION-MISSING:m-f1");
        assertThat(alerts.get("PAT-IMPERSONATION-MISSING:m-f1").evidence()).containsExactly("CALL:m-c1", "FRAUD:m-f1");
        assertThat(alerts.get("PAT-IMPERSONATION-MISSING:m-f1").provinces()).containsExactly("320000");
    }

    @Test
    void thePatternsTogetherGiveTheirAlertsAndNoOthers() throws Exception {
        assertThat(run(PatternCases.examplePack(), false, PatternCases.all())).containsOnlyKeys(
                "PAT-FLOOD-RESCUE:f-s1", "PAT-INVESTMENT-WAVE:w-1", "PAT-IMPERSONATION-MISSING:m-f1");
    }

    @Test
    void closingAFunctionThatNeverOpenedThrowsNothing() {
        // a task cancelled while it restores is closed without having opened; an exception there
        // is fatal to the whole TaskManager (seen in the cluster test after losing a TaskManager)
        assertThatCode(() -> new PatternFunction(PatternCases.examplePack(), true).close()).doesNotThrowAnyException();
    }

    // --- timeliness: alerts do not wait for the watermark, and end as the event-time run

    @Test
    void floodAlertLeavesWithTheCompletingCallBeforeAnyWatermark() throws Exception {
        RulePack pack = PatternCases.only(FLOOD_RESCUE);
        List<Event> flood = PatternCases.events(PatternCases.floodRescue().subList(0, 4));
        try (RuleFixture f = new RuleFixture(new PatternFunction(pack, true), new PatternRouting(pack))) {
            f.feed(flood.get(0), flood.get(1), flood.get(2));
            assertThat(f.revisions()).isEmpty();
            f.feed(flood.get(3));
            assertThat(f.revisions()).extracting(AlertRevision::alertId, AlertRevision::msgType)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("PAT-FLOOD-RESCUE:f-s1", MsgType.ALERT));
        }
    }

    @Test
    void breachArrivingAfterItsCallsStillAlertsAtOnce() throws Exception {
        RulePack pack = PatternCases.only(FLOOD_RESCUE);
        List<Event> flood = PatternCases.events(PatternCases.floodRescue().subList(0, 4));
        try (RuleFixture f = new RuleFixture(new PatternFunction(pack, true), new PatternRouting(pack))) {
            f.feed(flood.get(1), flood.get(2), flood.get(3));
            assertThat(f.revisions()).isEmpty();
            f.feed(flood.get(0));
            assertThat(f.revisions()).extracting(AlertRevision::alertId).containsExactly("PAT-FLOOD-RESCUE:f-s1");
            assertThat(f.finish()).containsOnlyKeys("PAT-FLOOD-RESCUE:f-s1");
        }
    }

    @Test
    void earlierReportArrivingLateMovesTheWaveToItsTrueFirstReportWithACancelOfTheWrongOne() throws Exception {
        RulePack pack = PatternCases.only(INVESTMENT_WAVE);
        long t = org.yrd.linkage.testing.Events.T0;
        long m = org.yrd.linkage.testing.Events.MINUTE;
        String[] cities = {"310100", "320500", "330100", "310100", "320500", "330100"};
        Event[] r = new Event[6];
        for (int i = 0; i < 6; i++) {
            r[i] = org.yrd.linkage.testing.Events.fraud("r" + i, t + i * m, cities[i],
                    org.yrd.linkage.model.FraudType.INVESTMENT, 1_000, "PHONE", "1390000000" + i);
        }
        try (RuleFixture f = new RuleFixture(new PatternFunction(pack, true), new PatternRouting(pack))) {
            f.feed(r[1], r[2], r[3], r[4], r[5]);
            assertThat(f.revisions()).extracting(AlertRevision::alertId, AlertRevision::msgType)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("PAT-INVESTMENT-WAVE:r1", MsgType.ALERT));
            f.feed(r[0]);
            assertThat(f.revisions()).extracting(AlertRevision::alertId, AlertRevision::msgType).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("PAT-INVESTMENT-WAVE:r1", MsgType.ALERT),
                    org.assertj.core.groups.Tuple.tuple("PAT-INVESTMENT-WAVE:r0", MsgType.ALERT),
                    org.assertj.core.groups.Tuple.tuple("PAT-INVESTMENT-WAVE:r1", MsgType.CANCEL));
            assertThat(f.revisions()).filteredOn(x -> x.msgType() == MsgType.CANCEL).extracting(AlertRevision::kind)
                    .containsExactly(org.yrd.linkage.alert.AlertKind.CYBER_CHAIN);
            Map<String, FinalAlert> end = f.finish();
            assertThat(end.get("PAT-INVESTMENT-WAVE:r0").cancelled()).isFalse();
            assertThat(end.get("PAT-INVESTMENT-WAVE:r0").evidence())
                    .containsExactly("FRAUD:r0", "FRAUD:r1", "FRAUD:r2", "FRAUD:r3", "FRAUD:r4");
            assertThat(end.get("PAT-INVESTMENT-WAVE:r1").cancelled()).isTrue();
        }
    }

    @Test
    void everyCaseInReverseArrivalOrderEndsAsTheEventTimeRun() throws Exception {
        List<PatternCases.Line> reversed = new java.util.ArrayList<>(PatternCases.all());
        java.util.Collections.reverse(reversed);
        Map<String, FinalAlert> inOrder = run(PatternCases.examplePack(), false, PatternCases.all());
        Map<String, FinalAlert> speculated = run(PatternCases.examplePack(), true, reversed);
        assertThat(speculated).containsAllEntriesOf(inOrder);
        speculated.keySet().removeAll(inOrder.keySet());
        assertThat(speculated.values()).allSatisfy(a -> assertThat(a.cancelled()).as(a.alertId()).isTrue());
    }

    /** A gas breach that no gas-leak call follows within 30 minutes: an alert only time can complete. */
    private static final String UNREPORTED_GAS = """
              - id: PAT-UNREPORTED-GAS
                severity: MEDIUM
                key: grid(5km)
                within: 30m
                steps:
                  - {begin: breach, stream: SENSOR, where: {kind: GAS, value: {atLeast: 25}}}
                  - {notFollowedBy: report, stream: CALL, where: {category: GAS_LEAK}, near: {step: breach, within: 2km}}
            """;

    @Test
    void breachThatNoCallFollowsAlertsWhenItsWindowHasPassedInEventTime() throws Exception {
        RulePack pack = PatternCases.packWith("1", UNREPORTED_GAS);
        long t = org.yrd.linkage.testing.Events.T0;
        Event breach = org.yrd.linkage.testing.Events.sensor("g1", "GAS-1", org.yrd.linkage.model.SensorKind.GAS, 30, t,
                31.3, 121.0, "320500");
        Event answered = org.yrd.linkage.testing.Events.sensor("g2", "GAS-2", org.yrd.linkage.model.SensorKind.GAS, 30,
                t + org.yrd.linkage.testing.Events.DAY, 31.3, 121.0, "320500");
        Event call = org.yrd.linkage.testing.Events.call("k2", t + org.yrd.linkage.testing.Events.DAY + 10 * 60_000, 31.31,
                121.0, org.yrd.linkage.model.CallCategory.GAS_LEAK, "320500");
        try (RuleFixture f = new RuleFixture(new PatternFunction(pack, true), new PatternRouting(pack))) {
            f.feed(breach);
            f.watermark(t + 30 * 60_000 - 1);
            assertThat(f.revisions()).isEmpty();
            f.watermark(t + 30 * 60_000);
            assertThat(f.revisions()).extracting(AlertRevision::alertId).containsExactly("PAT-UNREPORTED-GAS:g1");
            f.feed(answered, call);
            assertThat(f.finish()).containsOnlyKeys("PAT-UNREPORTED-GAS:g1");
        }
    }

    /** The flood pattern twice, once under each after-match strategy. */
    private static final String FLOOD_BOTH_WAYS = """
              - id: PAT-SKIP
                severity: HIGH
                key: grid(10km)
                within: 1h
                steps:
                  - {begin: breach, stream: SENSOR, where: {kind: WATER_LEVEL, value: {atLeast: 5.0}}}
                  - {followedBy: calls, stream: CALL, where: {category: FLOOD}, near: {step: breach, within: 5km}, times: 3}
              - id: PAT-NOSKIP
                severity: HIGH
                key: grid(10km)
                within: 1h
                afterMatch: noSkip
                steps:
                  - {begin: breach, stream: SENSOR, where: {kind: WATER_LEVEL, value: {atLeast: 5.0}}}
                  - {followedBy: calls, stream: CALL, where: {category: FLOOD}, near: {step: breach, within: 5km}, times: 3}
            """;

    @Test
    void underSkipPastLastEventAMatchWaitsWhileOneBegunEarlierCanStillCompleteAndUnderNoSkipItDoesNot() throws Exception {
        RulePack pack = PatternCases.packWith("1", FLOOD_BOTH_WAYS);
        long t = org.yrd.linkage.testing.Events.T0;
        long m = org.yrd.linkage.testing.Events.MINUTE;
        double km = org.yrd.linkage.testing.Events.DEG_PER_KM;
        // gauge A breaches first and no call comes near it; gauge B, 2 km north, breaches and gets its calls
        Event a = org.yrd.linkage.testing.Events.sensor("a", "WL-A", org.yrd.linkage.model.SensorKind.WATER_LEVEL, 6, t,
                31.0, 120.9, "320500");
        Event b = org.yrd.linkage.testing.Events.sensor("b", "WL-B", org.yrd.linkage.model.SensorKind.WATER_LEVEL, 6, t + m,
                31.0 + 2 * km, 120.9, "320500");
        Event[] calls = new Event[3];
        for (int i = 0; i < 3; i++) {
            calls[i] = org.yrd.linkage.testing.Events.call("c" + i, t + (2 + i) * m, 31.0 + 6.5 * km, 120.9,
                    org.yrd.linkage.model.CallCategory.FLOOD, "320500");
        }
        Event later = org.yrd.linkage.testing.Events.sensor("later", "WL-C", org.yrd.linkage.model.SensorKind.WATER_LEVEL, 6,
                t + 61 * m, 31.0, 120.9, "320500");
        try (RuleFixture f = new RuleFixture(new PatternFunction(pack, true), new PatternRouting(pack))) {
            f.feed(a, b, calls[0], calls[1], calls[2]);
            assertThat(f.revisions()).extracting(AlertRevision::alertId).containsExactly("PAT-NOSKIP:b");
            f.feed(later);
            assertThat(f.revisions()).extracting(AlertRevision::alertId).containsExactly("PAT-NOSKIP:b", "PAT-SKIP:b");
            assertThat(f.finish()).containsOnlyKeys("PAT-NOSKIP:b", "PAT-SKIP:b");
        }
    }

    // --- live changes

    @Test
    void changedPatternStartsFreshWhileAnUnchangedOneKeepsItsPartialMatch() throws Exception {
        RulePack before = PatternCases.examplePack();
        List<Event> flood = PatternCases.events(PatternCases.floodRescue().subList(0, 4));
        List<Event> wave = PatternCases.events(PatternCases.investmentWave().subList(0, 5));
        RulePack after = changedSeverity(before, FLOOD_RESCUE);
        try (RuleFixture f = new RuleFixture(new PatternFunction(before, false), new PatternRouting(before))) {
            f.feed(flood.get(0), flood.get(1), flood.get(2));
            f.feed(wave.subList(0, 4).toArray(new Event[0]));
            f.watermark(wave.get(3).ts());
            f.publish(after);
            f.feed(flood.get(3), wave.get(4));
            assertThat(f.finish()).containsOnlyKeys("PAT-INVESTMENT-WAVE:w-1");
        }
    }

    @Test
    void removedPatternRaisesNothingMore() throws Exception {
        RulePack before = PatternCases.examplePack();
        RulePack after = PatternCases.only(INVESTMENT_WAVE);
        List<Event> flood = PatternCases.events(PatternCases.floodRescue().subList(0, 4));
        PatternFunction function = new PatternFunction(before, false);
        try (RuleFixture f = new RuleFixture(function, new PatternRouting(before))) {
            f.feed(flood.get(0), flood.get(1));
            f.watermark(flood.get(1).ts());
            f.publish(after);
            f.feed(flood.get(2), flood.get(3));
            assertThat(f.finish()).isEmpty();
        }
    }

    // --- state

    /** Keyed state entries of every key of a rule operator in the harness (heap state backend). */
    private static int keyedStateEntries(
            org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness<String, org.yrd.linkage.chain.Routed, String, AlertRevision> h) {
        return ((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>)
                ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    @Test
    void onceEveryWindowHasPassedNoKeyKeepsAnyState() throws Exception {
        RulePack pack = PatternCases.examplePack();
        var harness = RuleFixture.harness(new PatternFunction(pack, false));
        try (org.yrd.linkage.testing.Router routing = new org.yrd.linkage.testing.Router(new PatternRouting(pack))) {
            harness.open();
            harness.processBroadcastWatermark(new org.apache.flink.streaming.api.watermark.Watermark(Long.MAX_VALUE));
            RuleFixture.feed(harness, routing, PatternCases.events(PatternCases.all()).toArray(new Event[0]));
            assertThat(keyedStateEntries(harness)).isPositive();
            harness.processWatermark(new org.apache.flink.streaming.api.watermark.Watermark(Long.MAX_VALUE));
            assertThat(harness.extractOutputValues()).isNotEmpty();
            assertThat(keyedStateEntries(harness)).isZero();
        } finally {
            harness.close();
        }
    }

    @Test
    void removedPatternsKeysDropTheMatchesTheyHadBegun() throws Exception {
        RulePack pack = PatternCases.examplePack();
        RulePack without = PatternCases.only(INVESTMENT_WAVE);
        var harness = RuleFixture.harness(new PatternFunction(pack, false));
        try (org.yrd.linkage.testing.Router routing = new org.yrd.linkage.testing.Router(new PatternRouting(pack))) {
            harness.open();
            harness.processBroadcastWatermark(new org.apache.flink.streaming.api.watermark.Watermark(Long.MAX_VALUE));
            List<Event> flood = PatternCases.events(PatternCases.floodRescue().subList(0, 2));
            RuleFixture.feed(harness, routing, flood.toArray(new Event[0]));
            harness.processWatermark(new org.apache.flink.streaming.api.watermark.Watermark(flood.get(1).ts()));
            int begun = keyedStateEntries(harness);
            assertThat(begun).as("a breach and a call held in the shared buffer").isPositive();
            harness.processBroadcastElement(org.yrd.linkage.rules.RulePackFile.toYaml(without), 0);
            harness.processWatermark(new org.apache.flink.streaming.api.watermark.Watermark(Long.MAX_VALUE));
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(keyedStateEntries(harness)).isZero();
        } finally {
            harness.close();
        }
    }

    /** The pack with one pattern's severity changed (a new version of it), under a new pack version. */
    private static RulePack changedSeverity(RulePack p, String patternId) {
        List<org.yrd.linkage.rules.PatternRule> patterns = p.patterns().stream()
                .map(r -> !r.id().equals(patternId) ? r : new org.yrd.linkage.rules.PatternRule(r.id(), r.description(),
                        org.yrd.linkage.alert.Severity.HIGH, r.key(), r.within(), r.steps(), r.afterMatch(), r.minProvinces(),
                        r.summary()))
                .toList();
        return new RulePack(p.id(), "2", p.hazards(), p.cascade(), p.spread(), p.cluster(), p.link(), p.burst(),
                p.escalation(), patterns);
    }
}
