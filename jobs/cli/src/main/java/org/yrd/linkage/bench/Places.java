package org.yrd.linkage.bench;

import org.yrd.linkage.demo.ScenarioGenerator;

import org.yrd.linkage.region.Geo;
import org.yrd.linkage.region.Region;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Points for generated traffic, each placed once with the engine's own point-in-polygon so that
 * every generated record lands in the city it claims: a pool of random points in the region,
 * pairs of points a few km apart on either side of a provincial border, and sites far enough
 * apart that planted chains at different sites cannot join each other's incidents.
 */
final class Places {

    /** A point in the region and the city whose polygon covers it. */
    record Point(double lat, double lon, int city) {
        int province() {
            return Region.provinceOf(city);
        }
    }

    /** Two points 2 to 6 km apart in different provinces. */
    record BorderPair(Point a, Point b) {}

    // a box around the 41 cities; points outside every city are drawn again
    static final double MIN_LAT = 27.0;
    static final double MAX_LAT = 35.4;
    static final double MIN_LON = 114.8;
    static final double MAX_LON = 123.0;

    private Places() {}

    static Point random(SplittableRandom r) {
        Region region = Region.get();
        while (true) {
            double lat = round6(MIN_LAT + r.nextDouble() * (MAX_LAT - MIN_LAT));
            double lon = round6(MIN_LON + r.nextDouble() * (MAX_LON - MIN_LON));
            int city = region.cityAt(lat, lon);
            if (city != 0) {
                return new Point(lat, lon, city);
            }
        }
    }

    static List<Point> pool(SplittableRandom r, int n) {
        List<Point> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            points.add(random(r));
        }
        return points;
    }

    /** A point between {@code minKm} and {@code maxKm} from {@code p} that lies in the region, or {@code p} itself after 50 misses. */
    static Point near(SplittableRandom r, Point p, double minKm, double maxKm) {
        Region region = Region.get();
        for (int i = 0; i < 50; i++) {
            double[] q = ScenarioGenerator.destination(p.lat(), p.lon(), r.nextDouble() * 360, minKm + r.nextDouble() * (maxKm - minKm));
            int city = region.cityAt(q[0], q[1]);
            if (city != 0) {
                return new Point(q[0], q[1], city);
            }
        }
        return p;
    }

    static List<BorderPair> borderPairs(SplittableRandom r, int n) {
        Region region = Region.get();
        List<BorderPair> pairs = new ArrayList<>(n);
        while (pairs.size() < n) {
            Point a = random(r);
            double[] q = ScenarioGenerator.destination(a.lat(), a.lon(), r.nextDouble() * 360, 2 + r.nextDouble() * 4);
            int city = region.cityAt(q[0], q[1]);
            if (city != 0 && Region.provinceOf(city) != a.province()) {
                pairs.add(new BorderPair(a, new Point(q[0], q[1], city)));
            }
        }
        return pairs;
    }

    /** Up to {@code max} random points pairwise at least {@code minKm} apart (greedy, from {@code tries} candidates). */
    static List<Point> sites(SplittableRandom r, double minKm, int max, int tries) {
        List<Point> sites = new ArrayList<>();
        for (int i = 0; i < tries && sites.size() < max; i++) {
            Point p = random(r);
            boolean clear = true;
            for (Point s : sites) {
                if (Geo.distanceKm(s.lat(), s.lon(), p.lat(), p.lon()) < minKm) {
                    clear = false;
                    break;
                }
            }
            if (clear) {
                sites.add(p);
            }
        }
        return sites;
    }

    static double round6(double x) {
        return Math.round(x * 1e6) / 1e6;
    }
}
