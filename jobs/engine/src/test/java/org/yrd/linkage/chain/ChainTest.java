package org.yrd.linkage.chain;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A chain stays the same size however many events it takes (the anchor and the 199 latest, as a
 * revision lists them), while what revisions say about all events (count, provinces, cities,
 * times) stays exact.
 */
class ChainTest {

    private static Evidence call(int i, long ts, int city) {
        return new Evidence(StreamKind.CALL, String.format("c-%05d", i), ts, city);
    }

    private static List<String> ids(Chain c) {
        return c.evidence.stream().map(Evidence::id).sorted().toList();
    }

    @Test
    void tenThousandEventsInAnyOrderKeepTheAnchorAndThe199LatestAndCountThemAll() {
        List<Evidence> events = new ArrayList<>();
        for (int i = 1; i <= 10_000; i++) {
            events.add(call(i, 1_000L * i, 320500));
        }
        Collections.shuffle(events, new Random(7));
        Chain c = new Chain("INC-CLUSTER", AlertKind.INCIDENT_CHAIN, "anchor", "FIRE");
        c.add(new Evidence(StreamKind.CALL, "anchor", 5_000_000L, 320500));
        events.forEach(c::add);

        assertThat(c.evidence).hasSize(AlertRevision.MAX_EVIDENCE);
        assertThat(c.size()).isEqualTo(10_001);
        assertThat(c.count(StreamKind.CALL)).isEqualTo(10_001);
        List<String> want = new ArrayList<>();
        want.add("anchor");
        for (int i = 9_802; i <= 10_000; i++) {
            want.add(String.format("c-%05d", i));
        }
        assertThat(ids(c)).containsExactlyElementsOf(want.stream().sorted().toList());
        assertThat(c.minTs()).isEqualTo(1_000L);
        assertThat(c.maxTs()).isEqualTo(10_000_000L);
    }

    @Test
    void provincesAndCitiesOfEventsNoLongerListedStillAddressTheAlert() {
        Chain c = new Chain("INC-CASCADE", AlertKind.INCIDENT_CHAIN, "s-0", "GAS");
        c.add(new Evidence(StreamKind.SENSOR, "s-0", 0, 320500));
        c.add(call(1, 1, 310100));
        for (int i = 2; i < 1_000; i++) {
            c.add(call(i, i, 320500));
        }
        c.fired = true;
        c.severity = Severity.CRITICAL;
        AlertRevision r = Revisions.of(c, 1, MsgType.ALERT, RulePack.defaults(), null);
        assertThat(Arrays.stream(r.evidence()).map(Evidence::id)).doesNotContain("c-00001");
        assertThat(r.provinces()).containsExactly("310000", "320000");
        assertThat(r.recipients()).containsExactly("310000", "320000");
        assertThat(r.cities()).containsExactly("310100", "320500");
        assertThat(r.evidenceCount()).isEqualTo(1_000);
        assertThat(r.firstEventTs()).isZero();
        assertThat(r.summary()).contains("相关110警情999起");
    }

    @Test
    void absorbingACaseAddsItsFiguresAndKeepsTheSurvivorsAnchorWithTheLatestOfBoth() {
        Chain into = new Chain("CYB-LINK", AlertKind.CYBER_CHAIN, "a-0", "IMPERSONATION");
        Chain from = new Chain("CYB-LINK", AlertKind.CYBER_CHAIN, "b-0", "IMPERSONATION");
        for (int i = 0; i < 300; i++) {
            into.add(new Evidence(StreamKind.FRAUD, String.format("a-%d", i), 2L * i, 320500));
            from.add(new Evidence(StreamKind.FRAUD, String.format("b-%d", i), 2L * i + 1, 330100));
        }
        into.lossCny = 10;
        from.lossCny = 5;
        into.addIdentifier("PHONE:139****0001");
        from.addIdentifier("PHONE:139****0002");

        into.absorb(from);

        assertThat(into.size()).isEqualTo(600);
        assertThat(into.evidence).hasSize(AlertRevision.MAX_EVIDENCE);
        assertThat(into.evidence.get(0).id()).isEqualTo("a-0");
        // the 199 latest of 600 events interleaved a, b: ts 401..599
        assertThat(into.evidence.subList(1, 200)).allSatisfy(e -> assertThat(e.ts()).isBetween(401L, 599L));
        assertThat(into.provinces()).containsExactly(320000, 330000);
        assertThat(into.minTs()).isZero();
        assertThat(into.maxTs()).isEqualTo(599L);
        assertThat(into.lossCny).isEqualTo(15);
        assertThat(into.identifiers).containsExactly("PHONE:139****0001", "PHONE:139****0002");
    }

    @Test
    void identifiersStopAtTheCapWithTheSameFirstInSortedOrderWhateverOrderTheyCameIn() {
        List<String> masked = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            masked.add(String.format("PHONE:1%02d****%04d", i % 100, i));
        }
        Chain ascending = new Chain("CYB-LINK", AlertKind.CYBER_CHAIN, "f", "OTHER");
        masked.stream().sorted().forEach(ascending::addIdentifier);
        Collections.shuffle(masked, new Random(3));
        Chain shuffled = new Chain("CYB-LINK", AlertKind.CYBER_CHAIN, "f", "OTHER");
        masked.forEach(shuffled::addIdentifier);

        assertThat(shuffled.identifiers).hasSize(AlertRevision.MAX_IDENTIFIERS)
                .isEqualTo(ascending.identifiers)
                .isEqualTo(masked.stream().sorted().limit(AlertRevision.MAX_IDENTIFIERS).toList());
    }

    @Test
    void anEventOlderThanEveryListedOneStillChangesTheRevision() {
        Chain c = new Chain("INC-CLUSTER", AlertKind.INCIDENT_CHAIN, "anchor", "FIRE");
        for (int i = 0; i < 300; i++) {
            c.add(call(i, 1_000 + i, 320500));
        }
        List<Evidence> listed = List.copyOf(c.evidence);
        long before = c.fingerprint();
        c.add(call(999, 1, 310100));
        assertThat(c.evidence).isEqualTo(listed);
        assertThat(c.fingerprint()).isNotEqualTo(before);
    }
}
