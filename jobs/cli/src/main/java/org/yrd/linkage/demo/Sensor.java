package org.yrd.linkage.demo;

import org.yrd.linkage.model.SensorKind;

/**
 * One sensor of the demo's fleet: where it stands, what it measures, and the state that keeps its
 * readings plausible (a slowly drifting level below the threshold) and keeps a planted breach from
 * landing on a sensor whose incident is still open.
 */
final class Sensor {

    final String id;
    final SensorKind kind;
    final double lat;
    final double lon;
    final int city;
    final boolean sendsCityCode;
    /** The province across the border this sensor watches, or 0 for a sensor away from any provincial border. */
    final int acrossProvince;

    /** Fraction of the kind's threshold that background readings hover around (always below 1). */
    double level;
    /** Generator time of the last planted breach. */
    long lastBreach = Long.MIN_VALUE / 2;

    Sensor(String id, SensorKind kind, double lat, double lon, int city, boolean sendsCityCode, int acrossProvince, double level) {
        this.id = id;
        this.kind = kind;
        this.lat = lat;
        this.lon = lon;
        this.city = city;
        this.sendsCityCode = sendsCityCode;
        this.acrossProvince = acrossProvince;
        this.level = level;
    }

    int province() {
        return city / 10000 * 10000;
    }
}
