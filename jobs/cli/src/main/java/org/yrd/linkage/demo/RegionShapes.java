package org.yrd.linkage.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;
import org.yrd.linkage.region.Region;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The shapes behind the demo: the 41 city polygons (for drawing and for sampling points inside a
 * city) and, for every pair of neighbouring cities in different provinces, the boundary vertices
 * they share (for planting chains across a provincial border). Read once from the same classpath
 * resources that {@link Region} uses, so a point sampled here is placed by the engine exactly as
 * {@link Region#cityAt} places it. The boundaries come from a topology, so neighbours share their
 * border vertices bit for bit.
 */
final class RegionShapes {

    static final String ADJACENCY_RESOURCE = "/region/yrd-adjacency.csv";

    /** One city: its rings as {lon, lat} pairs (outer rings and holes, drawn even-odd), bounds and a label point inside it. */
    record CityShape(int code, String name, int province, List<double[][]> rings,
                     double minLat, double maxLat, double minLon, double maxLon,
                     double labelLat, double labelLon) {}

    /** Two neighbouring cities of different provinces and the {lat, lon} vertices on their shared border. */
    record BorderPair(int cityA, int cityB, List<double[]> vertices) {}

    private static volatile RegionShapes instance;

    private final List<CityShape> cities;
    private final List<BorderPair> crossBorders;
    private final double minLat, maxLat, minLon, maxLon;

    private RegionShapes(JsonNode featureCollection, List<int[]> crossPairs) {
        GeometryFactory gf = new GeometryFactory();
        List<CityShape> list = new ArrayList<>();
        double a = 90, b = -90, c = 180, d = -180;
        for (JsonNode feature : featureCollection.path("features")) {
            JsonNode p = feature.path("properties");
            JsonNode g = feature.path("geometry");
            List<JsonNode> polygons = new ArrayList<>();
            if ("Polygon".equals(g.path("type").asText())) {
                polygons.add(g.path("coordinates"));
            } else {
                g.path("coordinates").forEach(polygons::add);
            }
            List<double[][]> rings = new ArrayList<>();
            double bestArea = -1, labelLat = 0, labelLon = 0;
            double cMinLat = 90, cMaxLat = -90, cMinLon = 180, cMaxLon = -180;
            for (JsonNode poly : polygons) {
                LinearRing shell = null;
                List<LinearRing> holes = new ArrayList<>();
                for (JsonNode ringNode : poly) {
                    double[][] ring = new double[ringNode.size()][];
                    Coordinate[] cs = new Coordinate[ring.length];
                    for (int i = 0; i < ring.length; i++) {
                        double lon = ringNode.get(i).get(0).asDouble();
                        double lat = ringNode.get(i).get(1).asDouble();
                        ring[i] = new double[] {lon, lat};
                        cs[i] = new Coordinate(lon, lat);
                        cMinLat = Math.min(cMinLat, lat);
                        cMaxLat = Math.max(cMaxLat, lat);
                        cMinLon = Math.min(cMinLon, lon);
                        cMaxLon = Math.max(cMaxLon, lon);
                    }
                    rings.add(ring);
                    if (shell == null) {
                        shell = gf.createLinearRing(cs);
                    } else {
                        holes.add(gf.createLinearRing(cs));
                    }
                }
                Polygon polygon = gf.createPolygon(shell, holes.toArray(new LinearRing[0]));
                if (polygon.getArea() > bestArea) {
                    bestArea = polygon.getArea();
                    Point inside = polygon.getInteriorPoint();
                    Point centroid = polygon.getCentroid();
                    // the centroid reads best; fall back to a point surely inside for odd shapes
                    Point label = polygon.covers(centroid) ? centroid : inside;
                    labelLat = label.getY();
                    labelLon = label.getX();
                }
            }
            list.add(new CityShape(Integer.parseInt(p.path("adcode").asText()), p.path("name").asText(),
                    Integer.parseInt(p.path("province_adcode").asText()), List.copyOf(rings),
                    cMinLat, cMaxLat, cMinLon, cMaxLon, labelLat, labelLon));
            a = Math.min(a, cMinLat);
            b = Math.max(b, cMaxLat);
            c = Math.min(c, cMinLon);
            d = Math.max(d, cMaxLon);
        }
        list.sort((x, y) -> Integer.compare(x.code(), y.code()));
        this.cities = List.copyOf(list);
        this.minLat = a;
        this.maxLat = b;
        this.minLon = c;
        this.maxLon = d;
        List<BorderPair> borders = new ArrayList<>();
        for (int[] pair : crossPairs) {
            List<double[]> shared = sharedVertices(city(pair[0]), city(pair[1]));
            if (shared.size() >= 3) {
                borders.add(new BorderPair(pair[0], pair[1], List.copyOf(shared)));
            }
        }
        this.crossBorders = List.copyOf(borders);
    }

    static RegionShapes get() {
        RegionShapes s = instance;
        if (s == null) {
            synchronized (RegionShapes.class) {
                s = instance;
                if (s == null) {
                    s = new RegionShapes(readJson(Region.CITIES_RESOURCE), readCrossPairs());
                    instance = s;
                }
            }
        }
        return s;
    }

    List<CityShape> cities() {
        return cities;
    }

    CityShape city(int code) {
        for (CityShape c : cities) {
            if (c.code() == code) {
                return c;
            }
        }
        throw new IllegalArgumentException("no city " + code);
    }

    List<BorderPair> crossBorders() {
        return crossBorders;
    }

    double minLat() {
        return minLat;
    }

    double maxLat() {
        return maxLat;
    }

    double minLon() {
        return minLon;
    }

    double maxLon() {
        return maxLon;
    }

    private static List<double[]> sharedVertices(CityShape a, CityShape b) {
        Set<List<Double>> ofB = new HashSet<>();
        for (double[][] ring : b.rings()) {
            for (double[] v : ring) {
                ofB.add(Arrays.asList(v[0], v[1]));
            }
        }
        Set<List<Double>> seen = new HashSet<>();
        List<double[]> shared = new ArrayList<>();
        for (double[][] ring : a.rings()) {
            for (double[] v : ring) {
                List<Double> key = Arrays.asList(v[0], v[1]);
                if (ofB.contains(key) && seen.add(key)) {
                    shared.add(new double[] {v[1], v[0]});
                }
            }
        }
        return shared;
    }

    private static JsonNode readJson(String resource) {
        try (InputStream in = RegionShapes.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("region data missing from the classpath: " + resource);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** The city pairs of yrd-adjacency.csv whose cross_province column is true. */
    private static List<int[]> readCrossPairs() {
        try (InputStream in = RegionShapes.class.getResourceAsStream(ADJACENCY_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("region data missing from the classpath: " + ADJACENCY_RESOURCE);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> header = Arrays.asList(r.readLine().split(","));
            int ia = header.indexOf("city_a_adcode"), ib = header.indexOf("city_b_adcode"), ic = header.indexOf("cross_province");
            if (ia < 0 || ib < 0 || ic < 0) {
                throw new IllegalStateException(ADJACENCY_RESOURCE + ": unexpected header " + header);
            }
            List<int[]> pairs = new ArrayList<>();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.split(",");
                if (f.length > Math.max(ia, Math.max(ib, ic)) && "true".equals(f[ic].trim())) {
                    pairs.add(new int[] {Integer.parseInt(f[ia].trim()), Integer.parseInt(f[ib].trim())});
                }
            }
            return pairs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ADJACENCY_RESOURCE, e);
        }
    }
}
