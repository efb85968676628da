package org.yrd.linkage.cyber;

import org.yrd.linkage.chain.Chain;

/**
 * A CYB-LINK case: reports linked through shared identifiers. Its size does not grow with its
 * reports or identifiers (the chain keeps the evidence a revision lists and running figures; the
 * identifiers point to the case, not the case to them). A Flink POJO.
 */
public class LinkCase {
    public String id;
    public long firstTs;
    public String firstReportId;
    public long lastTs;
    public Chain chain;

    public LinkCase() {}

    /** The order in which merging cases survive: earliest first report, then smaller report id. */
    boolean survivesOver(LinkCase other) {
        return firstTs != other.firstTs ? firstTs < other.firstTs : firstReportId.compareTo(other.firstReportId) < 0;
    }
}
