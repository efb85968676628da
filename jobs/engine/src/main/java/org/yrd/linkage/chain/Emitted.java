package org.yrd.linkage.chain;

import org.yrd.linkage.alert.AlertRevision;

import java.util.ArrayList;
import java.util.List;

/** What recipients last received of one alert: its revision, a digest of its content, who got it. A Flink POJO. */
public class Emitted {

    public int revision;
    public long fingerprint;
    public boolean cancelled;
    /** The restore generation in which the last revision was sent (see {@link Generations}). */
    public int generation;
    /** Every recipient any revision went to, sorted. */
    public List<String> recipients = new ArrayList<>();
    /**
     * The last ALERT or UPDATE sent while the alert stands (null once it is cancelled): a withdrawal
     * repeats it, since the chain behind it no longer exists when events arriving late disprove it.
     */
    public AlertRevision last;

    public Emitted() {}

    void addRecipients(String[] codes) {
        for (String c : codes) {
            int at = java.util.Collections.binarySearch(recipients, c);
            if (at < 0) {
                recipients.add(-at - 1, c);
            }
        }
    }
}
