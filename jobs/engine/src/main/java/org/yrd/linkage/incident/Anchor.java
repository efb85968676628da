package org.yrd.linkage.incident;

/**
 * Where and when an open episode or cluster was anchored, as the grid of its rule lists it: enough
 * to decide whether an event joins the group without reading the group's chain. A Flink POJO.
 */
public class Anchor {
    /** The group's alert id, its key in the rule's map of groups. */
    public String alertId;
    public double lat;
    public double lon;
    public long ts;

    public Anchor() {}

    Anchor(String alertId, double lat, double lon, long ts) {
        this.alertId = alertId;
        this.lat = lat;
        this.lon = lon;
        this.ts = ts;
    }
}
