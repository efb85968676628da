package org.yrd.linkage.incident;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.region.Geo;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.FinalAlert;
import org.yrd.linkage.testing.RuleFixture;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.call;

/**
 * INC-CLUSTER keeps its open clusters in a grid of cells; the grid must change no alert. Random
 * calls, dense enough that clusters overlap, share cells and straddle cell borders, give exactly
 * the alerts of rules-v1.md computed the naive way, by looking at every open cluster of the
 * category for every call: in ts order (replay) and in a shuffled arrival order (live), and in
 * replay's ordered mode with the waiting events in memory, or part in memory and part in state.
 */
class ClusterRuleReferenceTest {

    private static final RulePack PACK = RulePack.defaults();
    private static final String[] CITIES = {"320500", "310114"};
    private static final CallCategory[] CATEGORIES = {CallCategory.TRAFFIC_ACCIDENT, CallCategory.FIRE};

    @Test
    void randomCallsGiveTheAlertsOfANaiveFoldOverEveryOpenCluster() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            Random random = new Random(seed);
            List<Event> calls = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                // a 40 x 40 km square over several 0.1-degree cells, 3 hours, some calls at the same ms
                long ts = T0 + random.nextInt(180) * MINUTE + (random.nextInt(4) == 0 ? 0 : random.nextInt(1000));
                calls.add(call(String.format("k%03d", i), ts, 31.2 + random.nextDouble() * 0.36, 121.0 + random.nextDouble() * 0.42,
                        CATEGORIES[random.nextInt(2)], CITIES[random.nextInt(2)]));
            }
            Map<String, List<String>> expected = reference(calls);
            assertThat(expected).as("seed %d gives alerts to compare", seed).hasSizeGreaterThan(3);

            calls.sort(Event.TS_ORDER);
            assertThat(evidence(RuleFixture.run(new ClusterRule(PACK, false), new ClusterRule.Route(), calls.toArray(new Event[0]))))
                    .as("ordered, seed %d", seed).isEqualTo(expected);
            List<Event> shuffled = new ArrayList<>(calls);
            Collections.shuffle(shuffled, random);
            // replay keeps waiting events in memory, and in state once memory is full
            for (int limit : new int[] {1_000, 7}) {
                assertThat(evidence(RuleFixture.run(new ClusterRule(PACK, false).waitInMemory(limit), new ClusterRule.Route(),
                        shuffled.toArray(new Event[0])))).as("ordered, waiting in memory (at most %d), seed %d", limit, seed).isEqualTo(expected);
            }
            assertThat(evidence(RuleFixture.run(new ClusterRule(PACK, true), new ClusterRule.Route(), shuffled.toArray(new Event[0]))))
                    .as("speculative, shuffled, seed %d", seed).isEqualTo(expected);
        }
    }

    /** The evidence of the alerts that stand (live mode withdraws what a later-arriving, earlier call proves wrong). */
    private static Map<String, List<String>> evidence(Map<String, FinalAlert> alerts) {
        Map<String, List<String>> out = new TreeMap<>();
        alerts.forEach((id, a) -> {
            if (!a.cancelled()) {
                out.put(id, new ArrayList<>(new TreeSet<>(a.evidence())));
            }
        });
        return out;
    }

    /** rules-v1.md INC-CLUSTER, every open cluster of the category looked at for every call. */
    private static Map<String, List<String>> reference(List<Event> unordered) {
        RulePack.Cluster rule = PACK.cluster();
        List<Event> calls = new ArrayList<>(unordered);
        calls.sort(Event.TS_ORDER);
        record Cluster(Event anchor, List<Event> calls) {}
        List<Cluster> clusters = new ArrayList<>();
        Map<String, List<String>> alerts = new TreeMap<>();
        for (Event c : calls) {
            boolean joined = false;
            for (Cluster k : clusters) {
                Event a = k.anchor();
                if (a.call().category() == c.call().category() && c.ts() <= a.ts() + rule.window().toMillis()
                        && Geo.distanceKm(c.call().lat(), c.call().lon(), a.call().lat(), a.call().lon()) <= rule.radiusKm()) {
                    k.calls().add(c);
                    joined = true;
                }
            }
            if (!joined) {
                clusters.add(new Cluster(c, new ArrayList<>(List.of(c))));
            }
        }
        for (Cluster k : clusters) {
            long provinces = k.calls().stream().map(Event::province).distinct().count();
            if (k.calls().size() >= rule.minCalls() && provinces >= rule.minProvinces()) {
                alerts.put("INC-CLUSTER:" + k.anchor().id(), k.calls().stream().map(e -> "CALL:" + e.id()).sorted().toList());
            }
        }
        return alerts;
    }
}
