package org.yrd.linkage.chain;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The evidence a revision lists (rules-v1.md): all of it up to 200, beyond that the anchor and the 199 latest. */
class RevisionsTest {

    private static Chain chainOf(int events) {
        Chain c = new Chain("INC-CASCADE", AlertKind.INCIDENT_CHAIN, "s-0", "GAS");
        c.severity = Severity.HIGH;
        for (int i = 0; i < events; i++) {
            // the anchor first, then events in ts order
            c.add(new Evidence(i == 0 ? StreamKind.SENSOR : StreamKind.CALL, i == 0 ? "s-0" : String.format("c-%04d", i), 1_000L * i, 320500));
        }
        return c;
    }

    @Test
    void revisionWithTwoHundredEventsListsThemAll() {
        AlertRevision r = Revisions.of(chainOf(200), 1, MsgType.ALERT, RulePack.defaults(), null);
        assertThat(r.evidence()).hasSize(200);
        assertThat(r.evidenceCount()).isEqualTo(200);
    }

    @Test
    void revisionBeyondTwoHundredEventsListsTheAnchorAndTheLatest199AndCountsAll() {
        AlertRevision r = Revisions.of(chainOf(250), 1, MsgType.UPDATE, RulePack.defaults(), null);
        assertThat(r.evidenceCount()).isEqualTo(250);
        assertThat(r.evidence()).hasSize(AlertRevision.MAX_EVIDENCE);
        assertThat(Arrays.stream(r.evidence()).map(Evidence::id)).contains("s-0", "c-0249", "c-0051").doesNotContain("c-0050", "c-0001");
        assertThat(r.evidence()).isSortedAccordingTo(Evidence.OUTPUT_ORDER);
    }
}
