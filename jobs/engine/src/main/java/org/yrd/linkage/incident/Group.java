package org.yrd.linkage.incident;

import org.yrd.linkage.chain.Chain;

/** An INC-SPREAD episode or INC-CLUSTER cluster: an anchor event, its place and time, and the chain. A Flink POJO. */
public class Group {
    public double lat;
    public double lon;
    public long anchorTs;
    public Chain chain;

    public Group() {}
}
