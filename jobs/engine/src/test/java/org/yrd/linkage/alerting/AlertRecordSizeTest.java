package org.yrd.linkage.alerting;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.chain.Chain;
import org.yrd.linkage.chain.Revisions;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.region.City;
import org.yrd.linkage.region.Region;
import org.yrd.linkage.rules.RulePack;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The largest alert records the contracts allow: a case of thousands of reports in all 41 cities,
 * naming thousands of identifiers, escalated. Evidence and identifiers are capped at 200 each, so
 * a record's size depends only on how long its ids are: with ids of 32 characters it stays under
 * 20 kB, and even with the longest ids the schemas allow, 128 characters that JSON must escape as
 * six bytes each, it stays several times below the 1 MB a Kafka topic accepts.
 */
class AlertRecordSizeTest {

    /** An escalation of a CYB-LINK case of {@code reports} reports, each with an id made of {@code idChar}, in every city. */
    private static AlertRevision escalatedCase(int reports, String idChar, int idLength) {
        List<City> cities = List.copyOf(Region.get().cities().values());
        String anchor = id(idChar, idLength, 0);
        Chain c = new Chain("CYB-LINK", AlertKind.CYBER_CHAIN, anchor, "IMPERSONATION");
        for (int i = 0; i < reports; i++) {
            c.add(new Evidence(StreamKind.FRAUD, id(idChar, idLength, i), 1_000L * i, cities.get(i % cities.size()).code()));
            c.addIdentifier("IM_ACCOUNT:" + idChar.repeat(3) + "****" + idChar + String.format("%03d", i % 1000));
            c.addIdentifier(String.format("PHONE:139****%04d", i % 10_000));
        }
        c.fired = true;
        c.severity = Severity.CRITICAL;
        c.lossCny = 123_456_789.12;
        c.recordFirstSent();
        AlertRevision update = Revisions.of(c, 999, MsgType.UPDATE, RulePack.defaults(), null);
        return Revisions.escalation(update, "320000", 7, false, update.detectedTs() + 300_000, 5);
    }

    /** An id of {@code length} characters: {@code c} repeated, ending in the number {@code i}. */
    private static String id(String c, int length, int i) {
        String n = Integer.toString(i);
        return c.repeat(length - n.length()) + n;
    }

    private static int jsonBytes(AlertRevision r) {
        return AlertJson.alert(r, r.recipients()[0]).getBytes(StandardCharsets.UTF_8).length;
    }

    private static int capBytes(AlertRevision r) {
        return CapXml.render(r, r.recipients()[0]).getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void escalatedCaseOfTenThousandReportsWithIdsOf32CharactersIsUnder20Kilobytes() {
        AlertRevision r = escalatedCase(10_000, "f", 32);
        assertThat(r.evidence()).hasSize(AlertRevision.MAX_EVIDENCE);
        assertThat(r.identifiers()).hasSize(AlertRevision.MAX_IDENTIFIERS);
        assertThat(r.evidenceCount()).isEqualTo(10_000);
        assertThat(r.cities()).hasSize(41);
        assertThat(jsonBytes(r)).isLessThan(20_000);
        assertThat(capBytes(r)).isLessThan(20_000);
    }

    @Test
    void longestIdsTheSchemasAllowKeepARecordFarBelowWhatATopicAccepts() {
        // 128 characters each: characters of four bytes in UTF-8, and control characters that JSON escapes in six
        for (String c : List.of("\uD83D\uDE00", "\u0001")) {
            AlertRevision r = escalatedCase(10_000, c, 128);
            System.out.printf("escalated case, ids of 128 x U+%04X: JSON %,d bytes, CAP %,d bytes%n",
                    c.codePointAt(0), jsonBytes(r), capBytes(r));
            assertThat(jsonBytes(r)).isLessThan(AlertJson.MAX_RECORD_BYTES / 5);
            assertThat(capBytes(r)).isLessThan(AlertJson.MAX_RECORD_BYTES / 5);
        }
    }
}
