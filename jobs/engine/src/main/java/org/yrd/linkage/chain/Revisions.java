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
import java.util.Comparator;

/** Builds the alert revisions that recipients receive from the chains that rules keep. */
public final class Revisions {

    public static final String REGIONAL_CENTRE = "YRD";

    private static final String[] NONE = new String[0];

    private Revisions() {}

    /**
     * A revision showing the chain as it stands. {@code recipients} null: the chain's provinces
     * (ALERT, UPDATE); a CANCEL goes to everyone the alert was ever sent to.
     */
    public static AlertRevision of(Chain c, int revision, MsgType type, RulePack pack, String[] recipients, boolean withdrawn) {
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
                fsProvinces, fsTs, fsSeverity, fsSla, withdrawn);
    }

    /** A CANCEL of an alert that, once earlier-stamped events arrived, never existed in ts order. */
    public static AlertRevision withdrawal(String alertId, int revision, String ruleVersion, String[] recipients) {
        String ruleId = alertId.substring(0, alertId.indexOf(':'));
        AlertKind kind = ruleId.startsWith("CYB-LINK") ? AlertKind.CYBER_CHAIN
                : ruleId.startsWith("CYB-BURST") ? AlertKind.CYBER_BURST : AlertKind.INCIDENT_CHAIN;
        return withdrawal(alertId, revision, ruleVersion, kind, recipients);
    }

    /** A withdrawal under a pack: a pattern's alert keeps its pattern's kind. */
    public static AlertRevision withdrawal(String alertId, int revision, RulePack pack, String[] recipients) {
        PatternRule pattern = pack.pattern(alertId.substring(0, alertId.indexOf(':')));
        return pattern == null ? withdrawal(alertId, revision, pack.version(), recipients)
                : withdrawal(alertId, revision, pack.version(), pattern.alertKind(), recipients);
    }

    private static AlertRevision withdrawal(String alertId, int revision, String ruleVersion, AlertKind kind, String[] recipients) {
        String ruleId = alertId.substring(0, alertId.indexOf(':'));
        long now = System.currentTimeMillis();
        return new AlertRevision(alertId, revision, MsgType.CANCEL, kind, ruleId, ruleVersion, Severity.LOW,
                recipients, recipients, NONE, new Evidence[0], 0, 0, 0, 0, now, NONE, NONE, 0, false, 0, 0, 0,
                "撤回：按事件时间重排后，此预警不成立。", null, NONE, new long[0], new Severity[0], new long[0], true);
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
     * The evidence a revision lists, in output order: all of it up to {@link AlertRevision#MAX_EVIDENCE}
     * events, beyond that the anchor and the latest others in ts order (rules-v1.md), so that a
     * long incident never makes a record too large to send.
     */
    static Evidence[] listed(Chain c) {
        Evidence[] all = c.evidence.toArray(new Evidence[0]);
        if (all.length > AlertRevision.MAX_EVIDENCE) {
            String anchorId = anchorId(c);
            Evidence anchor = null;
            for (Evidence e : all) {
                if (e.id().equals(anchorId) && (anchor == null || e.ts() < anchor.ts())) {
                    anchor = e;
                }
            }
            Evidence[] byTs = all.clone();
            Arrays.sort(byTs, Comparator.comparingLong(Evidence::ts).thenComparing(Evidence.OUTPUT_ORDER));
            Evidence[] kept = new Evidence[AlertRevision.MAX_EVIDENCE];
            int n = 0;
            if (anchor != null) {
                kept[n++] = anchor;
            }
            for (int i = byTs.length - 1; i >= 0 && n < kept.length; i--) {
                if (byTs[i] != anchor) {
                    kept[n++] = byTs[i];
                }
            }
            all = kept;
        }
        Arrays.sort(all, Evidence.OUTPUT_ORDER);
        return all;
    }

    /** The id of the event that opened the chain: the part of the alert id after the rule id. */
    private static String anchorId(Chain c) {
        String rest = c.alertId.substring(c.ruleId.length() + 1);
        int colon = rest.indexOf(':');
        return colon < 0 ? rest : rest.substring(0, colon);
    }

    static String[] codes(int[] codes) {
        String[] s = new String[codes.length];
        for (int i = 0; i < codes.length; i++) {
            s[i] = Integer.toString(codes[i]);
        }
        return s;
    }
}
