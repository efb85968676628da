package org.yrd.linkage.region;

/** Great-circle geometry as rules-v1.md defines it. */
public final class Geo {

    /** Mean Earth radius, km (rules-v1.md: R = 6371.0088 km). */
    public static final double EARTH_RADIUS_KM = 6371.0088;

    private Geo() {}

    /** Haversine distance in km between two WGS-84 points. */
    public static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
                + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1.0, Math.sqrt(a)));
    }
}
