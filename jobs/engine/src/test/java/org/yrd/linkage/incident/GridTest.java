package org.yrd.linkage.incident;

import org.junit.jupiter.api.Test;
import org.yrd.linkage.region.Geo;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The grid only saves work: a point within the radius must always lie in a cell of the search. */
class GridTest {

    @Test
    void everyPointWithinTheRadiusLiesInASearchedCell() {
        Random random = new Random(16);
        for (double cellDegrees : new double[] {0.1, 0.5, 0.05}) {
            Grid grid = new Grid(cellDegrees);
            for (double radiusKm : new double[] {10, 50, 15, 0.5}) {
                int near = 0;
                for (int i = 0; i < 100_000; i++) {
                    double lat = 20 + random.nextDouble() * 25;
                    double lon = 110 + random.nextDouble() * 15;
                    // a point on or just inside the circle, in any direction
                    double bearing = random.nextDouble() * 2 * Math.PI;
                    double km = radiusKm * (1 - random.nextDouble() * random.nextDouble() * 0.01);
                    double[] p = destination(lat, lon, bearing, km);
                    if (Geo.distanceKm(lat, lon, p[0], p[1]) > radiusKm) {
                        continue;
                    }
                    near++;
                    Grid.Span span = grid.search(lat, lon, radiusKm);
                    long cell = grid.cell(p[0], p[1]);
                    long row = cell >> 32;
                    long column = (int) cell;
                    assertThat(row).as("row of %s,%s from %s,%s", p[0], p[1], lat, lon).isBetween(span.firstRow(), span.lastRow());
                    assertThat(column).as("column of %s,%s from %s,%s", p[0], p[1], lat, lon).isBetween(span.firstColumn(), span.lastColumn());
                }
                assertThat(near).isGreaterThan(50_000);
            }
        }
    }

    @Test
    void aSearchOfTenKmInTheDeltaReadsAFewCells() {
        Grid.Span span = new Grid(0.1).search(31.23, 121.47, 10);
        long cells = (span.lastRow() - span.firstRow() + 1) * (span.lastColumn() - span.firstColumn() + 1);
        assertThat(cells).isBetween(4L, 9L);
    }

    @Test
    void aCircleOverAPoleOrAcross180DegreesIsNotBounded() {
        Grid grid = new Grid(0.5);
        assertThat(grid.search(89.9, 10, 50)).isNull();
        assertThat(grid.search(10, 179.9, 50)).isNull();
        assertThat(grid.search(10, -179.9, 50)).isNull();
        assertThat(grid.search(10, 170, 50)).isNotNull();
    }

    /** The point {@code km} from (lat, lon) on an initial bearing, on the sphere of {@link Geo}. */
    private static double[] destination(double lat, double lon, double bearing, double km) {
        double d = km / Geo.EARTH_RADIUS_KM;
        double p1 = Math.toRadians(lat);
        double l1 = Math.toRadians(lon);
        double p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(bearing));
        double l2 = l1 + Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
        return new double[] {Math.toDegrees(p2), Math.toDegrees(l2)};
    }
}
