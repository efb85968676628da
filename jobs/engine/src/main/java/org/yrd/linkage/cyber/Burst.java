package org.yrd.linkage.cyber;

import org.yrd.linkage.chain.Chain;

/** A CYB-BURST burst against one identifier. A Flink POJO. */
public class Burst {
    public long lastTs;
    public Chain chain;

    public Burst() {}
}
