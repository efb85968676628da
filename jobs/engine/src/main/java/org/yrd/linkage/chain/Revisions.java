package org.yrd.linkage.chain;

import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.rules.PatternRule;
import org.yrd.linkage.rules.RulePack;

import java.time.Duration;
import java.util.Arrays;

/** Builds the alert revisions that recipients receive from the chains that rules keep. */
public final class Revisions {

    public static final String REGIONAL_CENTRE = "YRD";

    private static final String[] NONE = new String[0];

    private Revisions() {}

    /**
     * A revision showing the chain as it stands. {@code recipients} null: the chain's provinces
     * (ALERT, UPDATE); a CANCEL (of a chain absorbed by a merge) goes to everyone the alert was ever sent to.
     */
    public static AlertRevision of(Chain c, int revision, MsgType type, RulePack pack, String[] recipients) {
        Evidence[] evidence = listed(c);
        String[] provinces = codes(c.provinces());
        String[] cities = codes(c.cities());
        String[] fsProvinces = new String[c.firstSent.size()];
        long[] fsTs = new long[fsProvinces.length];
        Severity[] fsSeverity = new Severity[fsProvinces.length];
        long[] fsSla = new long[fsProvinces.length];
        for (int i = 0; i < fsProvinces.length; i++) {
            FirstSent f = c.firstSent.get(i);
            fsProvinces[i] = Integer.toString(f.province());
            fsTs[i] = f.detectedTs();
            fsSeverity[i] = f.severity();
            Duration sla = pack.escalation().enabled() ? pack.escalation().sla().get(f.severity()) : null;
            fsSla[i] = sla == null ? 0 : sla.toMillis();
        }
        long max = c.maxTs();
        return new AlertRevision(
                c.alertId, revision, type, c.kind, c.ruleId, pack.version(), c.severity,
                recipients == null ? provinces : recipients,
                provinces, cities, evidence, c.size(),
                c.minTs(), max, c.cancelled ? c.cancelledTs : max, System.currentTimeMillis(),
                c.mergedInto == null ? NONE : new String[] {c.mergedInto},
                c.identifiers.toArray(new String[0]),
                c.lossCny, c.hasLocation, c.lat, c.lon, c.radiusKm,
                Summaries.of(c, type, provinces, cities, pack.pattern(c.ruleId)), c.subject,
                fsProvinces, fsTs, fsSeverity, fsSla, false);
    }

    /**
     * A CANCEL of an alert that, once earlier-stamped events arrived, never existed in ts order. It
     * repeats what the recipients last received of the alert ({@code w}: its evidence, places,
     * severity, subject), so that consumers and CAP documents show what is taken back (and the
     * record meets alert.schema.json: evidenceCount >= 1). Its detectedTs, and so its CAP
     * {@code sent}, is the ts of the event that proved the alert wrong.
     *
     * @param w the last ALERT or UPDATE sent of the alert
     * @param recipients everyone the alert was ever sent to
     * @param causeTs the ts of the event whose arrival withdrew the alert
     */
    public static AlertRevision withdrawal(AlertRevision w, int revision, String ruleVersion, String[] recipients, long causeTs) {
        return new AlertRevision(w.alertId(), revision, MsgType.CANCEL, w.kind(), w.ruleId(), ruleVersion, w.severity(),
                recipients, w.provinces(), w.cities(), w.evidence(), w.evidenceCount(),
                w.firstEventTs(), w.lastEventTs(), causeTs, System.currentTimeMillis(), NONE, w.identifiers(), w.lossCny(),
                w.hasLocation(), w.lat(), w.lon(), w.radiusKm(), Summaries.withdrawal(w), w.subject(),
                NONE, new long[0], new Severity[0], new long[0], true);
    }

    /** The escalation of {@code escalated} to one province that did not acknowledge it by {@code deadline}. */
    public static AlertRevision escalation(AlertRevision escalated, String province, int revision, boolean first,
                                           long deadline, long slaMinutes) {
        String[] recipients = province.compareTo(REGIONAL_CENTRE) < 0
                ? new String[] {province, REGIONAL_CENTRE} : new String[] {REGIONAL_CENTRE, province};
        return new AlertRevision(
                "ESC-ACK:" + escalated.alertId() + ':' + province, revision,
                first ? MsgType.ALERT : MsgType.UPDATE,
                AlertKind.ESCALATION, "ESC-ACK", escalated.ruleVersion(), escalated.severity(),
                recipients, escalated.provinces(), escalated.cities(), escalated.evidence(), escalated.evidenceCount(),
                escalated.firstEventTs(), escalated.lastEventTs(), deadline, System.currentTimeMillis(),
                new String[] {escalated.alertId()}, escalated.identifiers(), escalated.lossCny(),
                escalated.hasLocation(), escalated.lat(), escalated.lon(), escalated.radiusKm(),
                Summaries.escalation(escalated, province, slaMinutes), escalated.subject(),
                NONE, new long[0], new Severity[0], new long[0], false);
    }

    /**
     * The evidence a revision lists, in output order: what the chain keeps, which is all of it up
     * to {@link AlertRevision#MAX_EVIDENCE} events and beyond that the anchor and the latest others
     * in ts order (rules-v1.md), so that a long incident never makes a record too large to send.
     */
    static Evidence[] listed(Chain c) {
        Evidence[] all = c.evidence.toArray(new Evidence[0]);
        Arrays.sort(all, Evidence.OUTPUT_ORDER);
        return all;
    }

    static String[] codes(int[] codes) {
        String[] s = new String[codes.length];
        for (int i = 0; i < codes.length; i++) {
            s[i] = Integer.toString(codes[i]);
        }
        return s;
    }
}
