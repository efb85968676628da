package org.yrd.linkage.incident;

import org.yrd.linkage.region.Geo;

/**
 * A grid of square cells in degrees over which INC-SPREAD and INC-CLUSTER list their open groups,
 * so that an event looks only at the groups anchored in the cells a circle of the rule's radius
 * around it can touch. The cells bound the circle exactly on the sphere (the latitude span of a
 * great-circle distance, and the longitude span of its tangent points), with a margin for
 * rounding; the rule then checks the distance itself, so the grid only saves work and never
 * decides a join. The cell size is fixed per rule, not taken from the pack, so that state written
 * under one radius is still found under another.
 */
final class Grid {

    private final double cellDegrees;

    Grid(double cellDegrees) {
        if (!(cellDegrees > 0 && cellDegrees <= 90)) {
            throw new IllegalArgumentException("a grid cell must be more than 0 and at most 90 degrees wide, not " + cellDegrees);
        }
        this.cellDegrees = cellDegrees;
    }

    /** The cell of a point. */
    long cell(double lat, double lon) {
        return key(index(lat), index(lon));
    }

    /**
     * The cells that hold every point within {@code radiusKm} of (lat, lon), as rows and columns;
     * null when the circle reaches a pole or crosses 180° (the caller then looks at every cell).
     */
    Span search(double lat, double lon, double radiusKm) {
        double angle = radiusKm / Geo.EARTH_RADIUS_KM;
        double dLat = Math.toDegrees(angle) * (1 + 1e-9) + 1e-9;
        if (Math.abs(lat) + dLat >= 90 || angle >= Math.PI / 2) {
            return null;
        }
        double sin = Math.sin(angle) / Math.cos(Math.toRadians(Math.abs(lat) + dLat));
        if (sin >= 1) {
            return null;
        }
        double dLon = Math.toDegrees(Math.asin(sin)) * (1 + 1e-9) + 1e-9;
        if (lon - dLon < -180 || lon + dLon > 180) {
            return null;
        }
        return new Span(index(lat - dLat), index(lat + dLat), index(lon - dLon), index(lon + dLon));
    }

    /** Rows and columns of cells, inclusive. */
    record Span(long firstRow, long lastRow, long firstColumn, long lastColumn) {}

    static long key(long row, long column) {
        return (row << 32) | (column & 0xffffffffL);
    }

    private long index(double degrees) {
        return (long) Math.floor(degrees / cellDegrees);
    }
}
