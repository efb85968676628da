package org.yrd.linkage.cyber;

import org.yrd.linkage.chain.Chain;

import java.util.ArrayList;
import java.util.List;

/** A CYB-LINK case: reports linked through shared identifiers. A Flink POJO. */
public class LinkCase {
    public String id;
    public long firstTs;
    public String firstReportId;
    public long lastTs;
    /** Keys of every identifier the case's reports named (some may have expired). */
    public List<String> identifierKeys = new ArrayList<>();
    public Chain chain;

    public LinkCase() {}

    /** The order in which merging cases survive: earliest first report, then smaller report id. */
    boolean survivesOver(LinkCase other) {
        return firstTs != other.firstTs ? firstTs < other.firstTs : firstReportId.compareTo(other.firstReportId) < 0;
    }
}
