package org.yrd.linkage.incident;

import org.yrd.linkage.chain.Chain;

/** An INC-CASCADE incident: a breaching sensor and the related calls near it. A Flink POJO. */
public class Incident {
    public String sensorId;
    public String kind;
    public double lat;
    public double lon;
    public long t0;
    public long lastBreachTs;
    public int calls;
    public Chain chain;

    public Incident() {}
}
