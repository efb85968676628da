package org.yrd.linkage.cyber;

/** Which case an identifier belongs to and when a report last named it. A Flink POJO. */
public class IdentEntry {
    public String caseId;
    public long lastTs;

    public IdentEntry() {}

    IdentEntry(String caseId, long lastTs) {
        this.caseId = caseId;
        this.lastTs = lastTs;
    }
}
