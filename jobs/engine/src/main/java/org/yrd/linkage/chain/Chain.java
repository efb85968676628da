package org.yrd.linkage.chain;

import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.model.StreamKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The truth about one alert as its rule sees it after the events taken so far in ts order: the
 * evidence, whether the rule has fired, whether a merge has absorbed it. Rules keep a chain inside
 * each incident, episode, cluster, case or burst; {@link SequencedRuleFunction} turns changes of a
 * chain into alert revisions. A Flink POJO.
 *
 * <p>A chain's size does not grow with its events, since an incident of a sensor that keeps
 * breaching, a burst or a case may stay open for as long as events come (rules-v1.md). It keeps
 * the evidence a revision lists (the anchor and the {@value #LATEST} latest others, as
 * rules-v1.md caps it) and, for what revisions state about all events, exact running figures:
 * how many events of each stream, their provinces and cities, their first and last ts. So a
 * revision names exactly the recipients and places of every event, also of those it no longer
 * lists. Identifiers are kept up to {@link AlertRevision#MAX_IDENTIFIERS}.
 */
public class Chain {

    /** How many events besides the anchor the evidence keeps: the latest in ts order. */
    static final int LATEST = AlertRevision.MAX_EVIDENCE - 1;

    /** The order in which evidence is "latest": by ts, ties as the output lists them. */
    private static final Comparator<Evidence> TS_ORDER = Comparator.comparingLong(Evidence::ts).thenComparing(Evidence.OUTPUT_ORDER);

    public String alertId;
    public String ruleId;
    public AlertKind kind;
    /** What the chain is about, for the summary: a sensor kind, a call category, a fraud type. */
    public String subject;
    /** The anchor (always first) and the {@value #LATEST} latest other events. */
    public List<Evidence> evidence = new ArrayList<>();
    /** How many events of each stream (by ordinal) the chain has taken, listed or not. */
    public int[] counts = new int[StreamKind.values().length];
    /** The provinces and cities of all the chain's events, sorted. */
    public int[] provinceCodes = new int[0];
    public int[] cityCodes = new int[0];
    public long firstTs = Long.MAX_VALUE;
    public long lastTs = Long.MIN_VALUE;
    public boolean fired;
    public boolean cancelled;
    /** The alert id of the chain that absorbed this one. */
    public String mergedInto;
    /** The ts of the event that absorbed this chain: its CANCEL's detectedTs. */
    public long cancelledTs;
    public Severity severity;
    public List<FirstSent> firstSent = new ArrayList<>();
    public double lossCny;
    /** Masked identifiers, sorted, each once: the first {@link AlertRevision#MAX_IDENTIFIERS} in that order. */
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

    /** Takes one event; the first one a chain takes is its anchor. */
    public void add(Evidence e) {
        count(e);
        evidence.add(e);
        if (evidence.size() > AlertRevision.MAX_EVIDENCE) {
            evidence.remove(earliestAfterAnchor());
        }
    }

    /**
     * Takes every event of {@code other} (a case that a merge absorbs, CYB-LINK): the figures add
     * up, and the evidence keeps this chain's anchor and the latest of both chains' others, which
     * are among the latest each of them kept. Loss and identifiers are the union too.
     */
    public void absorb(Chain other) {
        for (StreamKind s : StreamKind.values()) {
            counts[s.ordinal()] += other.counts[s.ordinal()];
        }
        for (int p : other.provinceCodes) {
            provinceCodes = with(provinceCodes, p);
        }
        for (int c : other.cityCodes) {
            cityCodes = with(cityCodes, c);
        }
        firstTs = Math.min(firstTs, other.firstTs);
        lastTs = Math.max(lastTs, other.lastTs);
        evidence.addAll(other.evidence);
        while (evidence.size() > AlertRevision.MAX_EVIDENCE) {
            evidence.remove(earliestAfterAnchor());
        }
        lossCny += other.lossCny;
        for (String masked : other.identifiers) {
            addIdentifier(masked);
        }
    }

    private void count(Evidence e) {
        counts[e.stream().ordinal()]++;
        provinceCodes = with(provinceCodes, e.city() / 10000 * 10000);
        cityCodes = with(cityCodes, e.city());
        firstTs = Math.min(firstTs, e.ts());
        lastTs = Math.max(lastTs, e.ts());
    }

    private int earliestAfterAnchor() {
        int earliest = 1;
        for (int i = 2; i < evidence.size(); i++) {
            if (TS_ORDER.compare(evidence.get(i), evidence.get(earliest)) < 0) {
                earliest = i;
            }
        }
        return earliest;
    }

    /** {@code sorted} with {@code code} in its place, or {@code sorted} itself when it holds it. */
    private static int[] with(int[] sorted, int code) {
        int at = Arrays.binarySearch(sorted, code);
        if (at >= 0) {
            return sorted;
        }
        int[] grown = new int[sorted.length + 1];
        int i = -at - 1;
        System.arraycopy(sorted, 0, grown, 0, i);
        grown[i] = code;
        System.arraycopy(sorted, i, grown, i + 1, sorted.length - i);
        return grown;
    }

    /** How many events the chain has taken, all of them (its evidenceCount). */
    public int size() {
        int n = 0;
        for (int c : counts) {
            n += c;
        }
        return n;
    }

    /** How many events of {@code stream} the chain has taken. */
    public int count(StreamKind stream) {
        return counts[stream.ordinal()];
    }

    public int[] provinces() {
        return provinceCodes.clone();
    }

    public int provinceCount() {
        return provinceCodes.length;
    }

    public int[] cities() {
        return cityCodes.clone();
    }

    public long maxTs() {
        return lastTs;
    }

    public long minTs() {
        return firstTs;
    }

    public void addIdentifier(String masked) {
        int at = Collections.binarySearch(identifiers, masked);
        if (at < 0) {
            identifiers.add(-at - 1, masked);
            if (identifiers.size() > AlertRevision.MAX_IDENTIFIERS) {
                // the smallest in sorted order stay: the same set whatever the order of reports and merges
                identifiers.remove(identifiers.size() - 1);
            }
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
        // events the evidence no longer lists still count, and still place the alert
        h = 31 * h + Arrays.hashCode(counts);
        h = 31 * h + Arrays.hashCode(provinceCodes);
        h = 31 * h + Arrays.hashCode(cityCodes);
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
