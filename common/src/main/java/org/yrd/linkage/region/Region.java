package org.yrd.linkage.region;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The 41 cities of the Yangtze River Delta: code normalisation (county/district to city to
 * province) and point-in-polygon placement on the shared boundaries, with a JTS STR-tree over the
 * prepared city polygons. Immutable and thread-safe once loaded; load it once per JVM with
 * {@link #get()}.
 */
public final class Region {

    /** Classpath location of the city boundaries (see config/region/README.md for its source). */
    public static final String CITIES_RESOURCE = "/region/yrd-cities.geojson";

    private static volatile Region instance;

    private final Map<Integer, City> cities;
    private final STRtree index = new STRtree();
    private final GeometryFactory geometryFactory = new GeometryFactory(new PrecisionModel(), 4326);

    private record Area(City city, PreparedGeometry geometry) {}

    private Region(JsonNode featureCollection) {
        Map<Integer, City> byCode = new TreeMap<>();
        for (JsonNode feature : featureCollection.path("features")) {
            JsonNode p = feature.path("properties");
            City city = new City(
                    Integer.parseInt(p.path("adcode").asText()),
                    p.path("name").asText(),
                    p.path("name_en").asText(),
                    Integer.parseInt(p.path("province_adcode").asText()),
                    p.path("province_name").asText(),
                    p.path("province_name_en").asText());
            byCode.put(city.code(), city);
            Geometry geometry = toGeometry(feature.path("geometry"));
            index.insert(geometry.getEnvelopeInternal(), new Area(city, PreparedGeometryFactory.prepare(geometry)));
        }
        index.build();
        this.cities = Collections.unmodifiableMap(byCode);
    }

    /** The region as shipped with the engine. */
    public static Region get() {
        Region r = instance;
        if (r == null) {
            synchronized (Region.class) {
                r = instance;
                if (r == null) {
                    try (InputStream in = Region.class.getResourceAsStream(CITIES_RESOURCE)) {
                        if (in == null) {
                            throw new IllegalStateException("region data missing from the classpath: " + CITIES_RESOURCE);
                        }
                        r = new Region(new ObjectMapper().readTree(in));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read " + CITIES_RESOURCE, e);
                    }
                    instance = r;
                }
            }
        }
        return r;
    }

    public Map<Integer, City> cities() {
        return cities;
    }

    public City city(int code) {
        return cities.get(code);
    }

    /**
     * The canonical city code of a GB/T 2260 code of a city, county or district (first 4 digits +
     * {@code 00}; every Shanghai district maps to 310100), or 0 when it names none of the 41 cities.
     */
    public int cityOfCode(String code) {
        if (code == null || code.length() != 6) {
            return 0;
        }
        int c = 0;
        for (int i = 0; i < 6; i++) {
            char ch = code.charAt(i);
            if (ch < '0' || ch > '9') {
                return 0;
            }
            c = c * 10 + (ch - '0');
        }
        int city = c / 100 * 100;
        return cities.containsKey(city) ? city : 0;
    }

    /**
     * The city whose polygon covers the point, or 0 outside every city. A point on a shared border
     * goes to the smaller city code, so the answer never depends on index order.
     */
    public int cityAt(double lat, double lon) {
        Point point = geometryFactory.createPoint(new Coordinate(lon, lat));
        @SuppressWarnings("unchecked")
        List<Area> candidates = index.query(point.getEnvelopeInternal());
        int best = 0;
        for (Area a : candidates) {
            if ((best == 0 || a.city.code() < best) && a.geometry.covers(point)) {
                best = a.city.code();
            }
        }
        return best;
    }

    public static int provinceOf(int city) {
        return city / 10000 * 10000;
    }

    private Geometry toGeometry(JsonNode g) {
        String type = g.path("type").asText();
        JsonNode coords = g.path("coordinates");
        switch (type) {
            case "Polygon":
                return polygon(coords);
            case "MultiPolygon": {
                List<Polygon> parts = new ArrayList<>();
                for (JsonNode p : coords) {
                    parts.add(polygon(p));
                }
                return geometryFactory.createMultiPolygon(parts.toArray(new Polygon[0]));
            }
            default:
                throw new IllegalStateException("unexpected geometry type in region data: " + type);
        }
    }

    private Polygon polygon(JsonNode rings) {
        LinearRing shell = ring(rings.get(0));
        LinearRing[] holes = new LinearRing[rings.size() - 1];
        for (int i = 1; i < rings.size(); i++) {
            holes[i - 1] = ring(rings.get(i));
        }
        return geometryFactory.createPolygon(shell, holes);
    }

    private LinearRing ring(JsonNode points) {
        Coordinate[] c = new Coordinate[points.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = new Coordinate(points.get(i).get(0).asDouble(), points.get(i).get(1).asDouble());
        }
        return geometryFactory.createLinearRing(c);
    }
}
