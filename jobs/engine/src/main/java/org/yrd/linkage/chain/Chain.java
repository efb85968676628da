package org.yrd.linkage.chain;

import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.alert.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The truth about one alert as its rule sees it after the events taken so far in ts order: the
 * evidence, whether the rule has fired, whether a merge has absorbed it. Rules keep a chain inside
 * each incident, episode, cluster, case or burst; {@link SequencedRuleFunction} turns changes of a
 * chain into alert revisions. A Flink POJO.
 */
public class Chain {

    public String alertId;
    public String ruleId;
    public AlertKind kind;
    /** What the chain is about, for the summary: a sensor kind, a call category, a fraud type. */
    public String subject;
    public List<Evidence> evidence = new ArrayList<>();
    public boolean fired;
    public boolean cancelled;
    /** The alert id of the chain that absorbed this one. */
    public String mergedInto;
    /** The ts of the event that absorbed this chain: its CANCEL's detectedTs. */
    public long cancelledTs;
    public Severity severity;
    public List<FirstSent> firstSent = new ArrayList<>();
    public double lossCny;
    /** Masked identifiers, sorted, each once. */
    public List<String> identifiers = new ArrayList<>();
    public boolean hasLocation;
    public double lat;
    public double lon;
    public double radiusKm;

    public Chain() {}

    public Chain(String ruleId, AlertKind kind, String anchorId, String subject) {
        this.ruleId = ruleId;
        this.kind = kind;
        this.alertId = ruleId + ':' + anchorId;
        this.subject = subject;
    }

    public void add(Evidence e) {
        evidence.add(e);
    }

    public int size() {
        return evidence.size();
    }

    public int[] provinces() {
        TreeSet<Integer> set = new TreeSet<>();
        for (Evidence e : evidence) {
            set.add(e.city() / 10000 * 10000);
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    public int provinceCount() {
        return provinces().length;
    }

    public int[] cities() {
        TreeSet<Integer> set = new TreeSet<>();
        for (Evidence e : evidence) {
            set.add(e.city());
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    public long maxTs() {
        long max = Long.MIN_VALUE;
        for (Evidence e : evidence) {
            max = Math.max(max, e.ts());
        }
        return max;
    }

    public long minTs() {
        long min = Long.MAX_VALUE;
        for (Evidence e : evidence) {
            min = Math.min(min, e.ts());
        }
        return min;
    }

    public void addIdentifier(String masked) {
        int at = java.util.Collections.binarySearch(identifiers, masked);
        if (at < 0) {
            identifiers.add(-at - 1, masked);
        }
    }

    /** True while the chain stands as an alert that recipients hold. */
    public boolean live() {
        return fired && !cancelled;
    }

    /**
     * Notes, for each province now addressed that was not before, the detectedTs and severity of
     * this first record to it (ESC-ACK deadlines start there). Called after every event in ts order.
     */
    public void recordFirstSent() {
        if (!live()) {
            return;
        }
        long detected = maxTs();
        for (int p : provinces()) {
            boolean known = false;
            for (FirstSent f : firstSent) {
                if (f.province() == p) {
                    known = true;
                    break;
                }
            }
            if (!known) {
                firstSent.add(new FirstSent(p, detected, severity));
            }
        }
    }

    /** A digest of everything a recipient sees of this chain; a change means a new revision. */
    public long fingerprint() {
        long h = 1125899906842597L;
        for (Evidence e : evidence) {
            h = 31 * h + e.stream().ordinal();
            h = 31 * h + e.id().hashCode();
        }
        h = 31 * h + (severity == null ? 0 : severity.ordinal() + 1);
        h = 31 * h + (cancelled ? 1 : 0);
        h = 31 * h + (mergedInto == null ? 0 : mergedInto.hashCode());
        h = 31 * h + Double.hashCode(lossCny);
        h = 31 * h + identifiers.hashCode();
        for (FirstSent f : firstSent) {
            h = 31 * h + Long.hashCode(f.detectedTs()) + f.province();
        }
        return h;
    }
}
