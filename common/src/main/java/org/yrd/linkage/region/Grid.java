package org.yrd.linkage.region;

import java.io.Serializable;

/**
 * A latitude/longitude grid whose cells are at least {@code radiusKm} wide everywhere in the
 * region, so that every point within the radius of a point lies in its cell or one of the eight
 * around it. Rules key events by cell and send an event to the 3x3 block around it when it must
 * meet events of neighbouring cells (INC-CASCADE's calls, patterns keyed by grid).
 */
public final class Grid implements Serializable {

    private static final double KM_PER_DEGREE = 6371.0088 * Math.PI / 180;
    /** Cells are sized for this latitude; the region lies south of 36 degrees north. */
    private static final double SIZING_LATITUDE = 40;

    private final double cellLat;
    private final double cellLon;

    public Grid(double radiusKm) {
        this.cellLat = radiusKm / KM_PER_DEGREE * 1.001;
        this.cellLon = radiusKm / (KM_PER_DEGREE * Math.cos(Math.toRadians(SIZING_LATITUDE))) * 1.001;
    }

    public String cell(double lat, double lon) {
        return key((int) Math.floor(lat / cellLat), (int) Math.floor(lon / cellLon));
    }

    public String[] block(double lat, double lon) {
        int row = (int) Math.floor(lat / cellLat);
        int col = (int) Math.floor(lon / cellLon);
        String[] keys = new String[9];
        int i = 0;
        for (int dr = -1; dr <= 1; dr++) {
            for (int dc = -1; dc <= 1; dc++) {
                keys[i++] = key(row + dr, col + dc);
            }
        }
        return keys;
    }

    private static String key(int row, int col) {
        return row + ":" + col;
    }
}
