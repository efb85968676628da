package org.yrd.linkage.demo;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The demo's live map: one self-contained HTML5 page (inline SVG and CSS, no script, no external
 * resource) that a browser reloads every 2 s. It draws the 41 cities, the provincial borders, and
 * every alert as its chain: a line from the alert's {@code location} (or its first located
 * evidence) to each evidence event, coloured by severity; beside the map, the latest alerts and
 * the demo's counters.
 *
 * <p>Province borders are derived from the city boundaries rather than read from
 * yrd-provinces.geojson (which is not on the classpath): the city polygons come from one topology,
 * so two neighbouring cities share their border segments exactly, and a segment is part of a
 * provincial border when it is owned by cities of two provinces or by one city only (the coast and
 * the outer boundary). The projected base map is computed once per JVM.
 *
 * <p>Pure: the page depends only on the arguments.
 */
public final class DemoMap {

    /** Seconds between reloads of the page. */
    public static final int REFRESH_SECONDS = 2;
    /** Most alerts drawn and listed: the most recently updated ones. */
    public static final int MAX_ALERTS = 40;
    /** Alerts detected within this time of the newest one highlight their provinces and cities. */
    public static final long HIGHLIGHT_MS = 5 * 60_000L;

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.of("Asia/Shanghai"));
    private static final Map<String, String> PROVINCE_SHORT = Map.of(
            "310000", "沪", "320000", "苏", "330000", "浙", "340000", "皖", "YRD", "长三角");
    private static final Map<String, Integer> SEVERITY_RANK = Map.of("CRITICAL", 4, "HIGH", 3, "MEDIUM", 2, "LOW", 1);

    private DemoMap() {}

    /** One alert as shown: the highest revision seen of its id, with the recipients of that revision. */
    private static final class View {
        final String alertId;
        int revision;
        String msgType;
        String kind;
        String severity;
        final Set<String> recipients = new TreeSet<>();
        final List<String> provinces = new ArrayList<>();
        final List<String> cities = new ArrayList<>();
        final List<String[]> evidence = new ArrayList<>();
        final List<String> references = new ArrayList<>();
        double[] location;
        String summary;
        long detectedTs;
        int order;

        View(String alertId) {
            this.alertId = alertId;
        }

        boolean cancelled() {
            return "CANCEL".equals(msgType);
        }

        boolean escalation() {
            return "ESCALATION".equals(kind);
        }

        void take(JsonNode r, int revision, int order) {
            this.revision = revision;
            this.order = order;
            msgType = r.path("msgType").asText("");
            kind = r.path("kind").asText("");
            severity = r.path("severity").asText("");
            recipients.clear();
            provinces.clear();
            cities.clear();
            evidence.clear();
            references.clear();
            r.path("provinces").forEach(p -> provinces.add(p.asText()));
            r.path("cities").forEach(c -> cities.add(c.asText()));
            r.path("references").forEach(c -> references.add(c.asText()));
            for (JsonNode e : r.path("evidence")) {
                evidence.add(new String[] {e.path("stream").asText(""), e.path("id").asText("")});
            }
            JsonNode loc = r.path("location");
            location = loc.path("lat").isNumber() && loc.path("lon").isNumber()
                    ? new double[] {loc.path("lat").asDouble(), loc.path("lon").asDouble()} : null;
            summary = r.path("summary").asText("");
            detectedTs = r.path("detectedTs").asLong(0);
        }
    }

    /** A located point of a chain: the evidence stream (or CITY for a city's label point) and its map position. */
    private record Mark(String stream, double x, double y) {}

    /**
     * The page.
     *
     * @param latestAlertRecords alert records as written by the engine (alert.schema.json), oldest first;
     *                           several records of one alert (recipients, revisions) are merged
     * @param eventLocation      {lat, lon} of an evidence event by id, or null when unknown
     * @param countersByName     counters shown in the side panel, in iteration order
     * @param nowMillis          wall-clock time shown on the page and used for the alerts' ages
     */
    public static String html(List<JsonNode> latestAlertRecords, Function<String, double[]> eventLocation,
                              Map<String, Long> countersByName, long nowMillis) {
        return html(latestAlertRecords, eventLocation, countersByName, Heading.live(nowMillis));
    }

    /**
     * What the page says it is: the live demo's page refreshes itself and shows the clock and each
     * alert's age; a report (a backtest's) is a still page of past events, titled for what it
     * reports, and shows when each alert was detected in event time.
     *
     * @param nowMillis the wall clock for a live page; null for a report
     */
    public record Heading(String title, String subtitle, String line, Long nowMillis) {

        public static Heading live(long nowMillis) {
            return new Heading("长三角跨省联动预警", "YRD Linkage · live demo",
                    CLOCK.format(Instant.ofEpochMilli(nowMillis)) + " 北京时间 · 每" + REFRESH_SECONDS + "秒刷新", nowMillis);
        }

        public static Heading report(String title, String subtitle, String line) {
            return new Heading(title, subtitle, line, null);
        }
    }

    /** The page with the given heading. */
    public static String html(List<JsonNode> latestAlertRecords, Function<String, double[]> eventLocation,
                              Map<String, Long> countersByName, Heading heading) {
        Basemap map = Basemap.get();
        List<View> views = views(latestAlertRecords);
        Map<String, View> byId = new HashMap<>();
        for (View v : views) {
            byId.put(v.alertId, v);
        }

        // recent relative to the newest alert rather than to the clock, so a replay of old events highlights too
        long newest = Long.MIN_VALUE;
        for (View v : views) {
            newest = Math.max(newest, v.detectedTs);
        }
        Map<String, Integer> provinceHeat = new HashMap<>();
        Map<String, Integer> cityHeat = new HashMap<>();
        for (View v : views.size() > MAX_ALERTS ? views.subList(0, MAX_ALERTS) : views) {
            if (v.cancelled() || v.detectedTs < newest - HIGHLIGHT_MS) {
                continue;
            }
            int rank = SEVERITY_RANK.getOrDefault(v.severity, 1);
            v.provinces.forEach(p -> provinceHeat.merge(p, rank, Math::max));
            v.cities.forEach(c -> cityHeat.merge(c, rank, Math::max));
        }

        StringBuilder svg = new StringBuilder(map.approximateSize + 20_000);
        svg.append("<svg class=\"map\" viewBox=\"0 0 ").append(fmt(map.width)).append(' ').append(fmt(map.height))
                .append("\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"长三角41城预警地图\">\n");
        svg.append("<g class=\"cities\">\n");
        for (RegionShapes.CityShape c : map.cities) {
            String province = String.valueOf(c.province());
            StringBuilder cls = new StringBuilder("city p").append(province);
            Integer ph = provinceHeat.get(province);
            if (ph != null) {
                cls.append(ph >= 4 ? " hot-crit" : ph == 3 ? " hot-high" : " hot-low");
            }
            Integer ch = cityHeat.get(String.valueOf(c.code()));
            if (ch != null) {
                cls.append(ch >= 4 ? " city-crit" : ch == 3 ? " city-high" : " city-low");
            }
            svg.append("<path class=\"").append(cls).append("\" data-city=\"").append(c.code()).append("\" d=\"")
                    .append(map.cityPaths.get(c.code())).append("\"><title>").append(esc(c.name())).append(' ')
                    .append(c.code()).append("</title></path>\n");
        }
        svg.append("</g>\n").append(map.provinceBorders).append(map.labels);

        List<View> shown = views.size() > MAX_ALERTS ? views.subList(0, MAX_ALERTS) : views;
        svg.append("<g class=\"chains\">\n");
        // oldest first so that the newest chains are drawn on top; cancelled ones under everything
        List<View> drawOrder = new ArrayList<>();
        for (int i = shown.size() - 1; i >= 0; i--) {
            if (shown.get(i).cancelled()) {
                drawOrder.add(shown.get(i));
            }
        }
        for (int i = shown.size() - 1; i >= 0; i--) {
            if (!shown.get(i).cancelled()) {
                drawOrder.add(shown.get(i));
            }
        }
        for (View v : drawOrder) {
            drawChain(svg, map, v, shown.indexOf(v) + 1, eventLocation, byId);
        }
        svg.append("</g>\n</svg>\n");

        StringBuilder page = new StringBuilder(svg.length() + 20_000);
        page.append("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        if (heading.nowMillis() != null) {
            page.append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\"/>\n");
        }
        page.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>YRD Linkage · ").append(esc(heading.title())).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n")
                .append("<div class=\"wrap\">\n<main>\n").append(svg).append("</main>\n");
        panel(page, shown, views.size(), countersByName, heading);
        page.append("</div>\n</body>\n</html>\n");
        return page.toString();
    }

    /**
     * The base map alone, as one SVG document: the 41 cities ({@code path.city} with the province
     * as class {@code p<code>} and the city code as {@code data-city}), the provincial borders and
     * the city names, for pages that draw on it themselves (the console). No alert text is in it.
     */
    public static String baseMapSvg() {
        Basemap map = Basemap.get();
        StringBuilder svg = new StringBuilder(map.approximateSize + 200);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" viewBox=\"0 0 ").append(fmt(map.width)).append(' ')
                .append(fmt(map.height)).append("\" preserveAspectRatio=\"xMidYMid meet\">\n<g class=\"cities\">\n");
        for (RegionShapes.CityShape c : map.cities) {
            svg.append("<path class=\"city p").append(c.province()).append("\" data-city=\"").append(c.code()).append("\" d=\"")
                    .append(map.cityPaths.get(c.code())).append("\"><title>").append(esc(c.name())).append("</title></path>\n");
        }
        return svg.append("</g>\n").append(map.provinceBorders).append(map.labels).append("</svg>\n").toString();
    }

    /** Where (lat, lon) lies on {@link #baseMapSvg()}: {x, y} in its viewBox units. */
    public static double[] mapPoint(double lat, double lon) {
        Basemap map = Basemap.get();
        return new double[] {map.x(lon), map.y(lat)};
    }

    /** Merges records into one view per alert id, most recently updated first. */
    private static List<View> views(List<JsonNode> records) {
        Map<String, View> byId = new LinkedHashMap<>();
        int order = 0;
        for (JsonNode r : records) {
            order++;
            if (r == null || !r.isObject() || !r.path("alertId").isTextual()) {
                continue;
            }
            String id = r.path("alertId").asText();
            int revision = r.path("revision").asInt(0);
            View v = byId.computeIfAbsent(id, View::new);
            if (v.msgType == null || revision > v.revision) {
                v.take(r, revision, order);
            } else if (revision == v.revision) {
                v.order = order;
            } else {
                continue;
            }
            String recipient = r.path("recipient").asText("");
            if (!recipient.isEmpty()) {
                v.recipients.add(recipient);
            }
        }
        List<View> list = new ArrayList<>(byId.values());
        list.sort((a, b) -> Integer.compare(b.order, a.order));
        return list;
    }

    private static void drawChain(StringBuilder svg, Basemap map, View v, int number,
                                  Function<String, double[]> eventLocation, Map<String, View> byId) {
        List<Mark> marks = new ArrayList<>();
        for (String[] e : v.evidence) {
            double[] p = eventLocation == null ? null : eventLocation.apply(e[1]);
            if (p != null && p.length >= 2 && Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                marks.add(new Mark(e[0], map.x(p[1]), map.y(p[0])));
            }
        }
        if (marks.isEmpty()) {
            // nothing located (e.g. fraud reports of an earlier run): link the alert's cities
            for (String code : v.cities) {
                RegionShapes.CityShape c = map.city(code);
                if (c != null) {
                    marks.add(new Mark("CITY", map.x(c.labelLon()), map.y(c.labelLat())));
                }
            }
        }
        double hx, hy;
        if (v.location != null && Double.isFinite(v.location[0]) && Double.isFinite(v.location[1])) {
            hx = map.x(v.location[1]);
            hy = map.y(v.location[0]);
        } else if (!marks.isEmpty()) {
            hx = marks.get(0).x();
            hy = marks.get(0).y();
        } else {
            return;
        }
        String sev = v.severity.isEmpty() ? "LOW" : v.severity;
        String cls = "sev-" + esc(sev) + (v.cancelled() ? " cancelled" : "") + (v.kind.startsWith("CYBER") ? " cyber" : "");
        String id = esc(v.alertId);
        boolean drawLines = !v.escalation() || v.references.isEmpty() || !byId.containsKey(v.references.get(0));
        svg.append("<g class=\"chain ").append(cls).append(v.escalation() ? " escalation" : "")
                .append("\" data-alert=\"").append(id).append("\"><title>#").append(number).append(' ').append(id)
                .append(' ').append(esc(v.msgType)).append(' ').append(esc(sev)).append("</title>\n");
        if (drawLines) {
            for (Mark m : marks) {
                if (Math.abs(m.x() - hx) > 0.05 || Math.abs(m.y() - hy) > 0.05) {
                    svg.append("<line class=\"link\" data-alert=\"").append(id).append("\" x1=\"").append(fmt(hx))
                            .append("\" y1=\"").append(fmt(hy)).append("\" x2=\"").append(fmt(m.x()))
                            .append("\" y2=\"").append(fmt(m.y())).append("\"/>\n");
                }
            }
            for (Mark m : marks) {
                marker(svg, m);
            }
        }
        if (v.escalation()) {
            svg.append("<circle class=\"esc-ring\" cx=\"").append(fmt(hx)).append("\" cy=\"").append(fmt(hy))
                    .append("\" r=\"13\"/>\n<polygon class=\"esc-mark\" points=\"").append(diamond(hx, hy, 7))
                    .append("\"/>\n<text class=\"esc-text\" x=\"").append(fmt(hx)).append("\" y=\"").append(fmt(hy + 3.5))
                    .append("\">!</text>\n");
        } else {
            svg.append("<circle class=\"hub\" cx=\"").append(fmt(hx)).append("\" cy=\"").append(fmt(hy)).append("\" r=\"5.5\"/>\n");
        }
        svg.append("<text class=\"badge\" x=\"").append(fmt(hx + 9)).append("\" y=\"").append(fmt(hy - 8)).append("\">")
                .append(number).append("</text>\n</g>\n");
    }

    private static void marker(StringBuilder svg, Mark m) {
        String x = fmt(m.x()), y = fmt(m.y());
        switch (m.stream()) {
            case "SENSOR":
                svg.append("<rect class=\"ev sensor\" x=\"").append(fmt(m.x() - 3.5)).append("\" y=\"").append(fmt(m.y() - 3.5))
                        .append("\" width=\"7\" height=\"7\"/>\n");
                break;
            case "FRAUD":
                svg.append("<polygon class=\"ev fraud\" points=\"").append(fmt(m.x())).append(',').append(fmt(m.y() - 4.5))
                        .append(' ').append(fmt(m.x() + 4.2)).append(',').append(fmt(m.y() + 3)).append(' ')
                        .append(fmt(m.x() - 4.2)).append(',').append(fmt(m.y() + 3)).append("\"/>\n");
                break;
            case "CITY":
                svg.append("<circle class=\"ev city-pt\" cx=\"").append(x).append("\" cy=\"").append(y).append("\" r=\"4\"/>\n");
                break;
            default:
                svg.append("<circle class=\"ev call\" cx=\"").append(x).append("\" cy=\"").append(y).append("\" r=\"3.2\"/>\n");
        }
    }

    private static String diamond(double x, double y, double r) {
        return fmt(x) + ',' + fmt(y - r) + ' ' + fmt(x + r) + ',' + fmt(y) + ' ' + fmt(x) + ',' + fmt(y + r) + ' ' + fmt(x - r) + ',' + fmt(y);
    }

    private static void panel(StringBuilder page, List<View> shown, int total, Map<String, Long> counters, Heading heading) {
        page.append("<aside>\n<h1>").append(esc(heading.title())).append(" <small>").append(esc(heading.subtitle()))
                .append("</small></h1>\n<div class=\"clock\">").append(esc(heading.line())).append("</div>\n");
        page.append("<h2>计数 Counters</h2>\n<table class=\"counters\">\n");
        if (counters != null) {
            for (Map.Entry<String, Long> e : counters.entrySet()) {
                page.append("<tr><td>").append(esc(e.getKey())).append("</td><td class=\"num\">")
                        .append(e.getValue() == null ? "-" : String.format(Locale.ROOT, "%,d", e.getValue()))
                        .append("</td></tr>\n");
            }
        }
        page.append("</table>\n<h2>最新预警 Latest alerts <small>").append(shown.size());
        if (total > shown.size()) {
            page.append(" / ").append(total);
        }
        page.append("</small></h2>\n");
        if (shown.isEmpty()) {
            page.append("<p class=\"empty\">暂无预警 No alerts yet</p>\n");
        }
        page.append("<ol class=\"alerts\">\n");
        int n = 0;
        for (View v : shown) {
            n++;
            String sev = v.severity.isEmpty() ? "LOW" : v.severity;
            page.append("<li class=\"alert sev-").append(esc(sev)).append(v.cancelled() ? " cancelled" : "")
                    .append(v.escalation() ? " escalation" : "").append("\">\n<div class=\"head\"><span class=\"n\">")
                    .append(n).append("</span><span class=\"sev\">").append(esc(sev)).append("</span><span class=\"type\">")
                    .append(esc(v.msgType)).append(" r").append(v.revision).append("</span>");
            if (v.escalation()) {
                page.append("<span class=\"tag-esc\">ESCALATION</span>");
            }
            page.append("<span class=\"age\">").append(heading.nowMillis() != null ? age(heading.nowMillis() - v.detectedTs)
                            : esc(CLOCK.format(Instant.ofEpochMilli(v.detectedTs)))).append("</span></div>\n")
                    .append("<div class=\"id\">").append(esc(v.alertId)).append("</div>\n<div class=\"rcpt\">→ ");
            boolean first = true;
            for (String r : v.recipients) {
                page.append(first ? "" : " · ").append(esc(r));
                String shortName = PROVINCE_SHORT.get(r);
                if (shortName != null && !"YRD".equals(r)) {
                    page.append('(').append(shortName).append(')');
                }
                first = false;
            }
            page.append("</div>\n<div class=\"sum\">").append(esc(v.summary)).append("</div>\n</li>\n");
        }
        page.append("</ol>\n");
        page.append(LEGEND);
        page.append("</aside>\n");
    }

    private static String age(long ms) {
        long s = Math.max(0, ms / 1000);
        if (s < 120) {
            return s + " s";
        }
        if (s < 2 * 3600) {
            return s / 60 + " min";
        }
        return s / 3600 + " h";
    }

    /** Escapes text for an HTML text node or quoted attribute, dropping characters XML cannot hold. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&': sb.append("&amp;"); break;
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '"': sb.append("&quot;"); break;
                case '\'': sb.append("&#39;"); break;
                default:
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
                        break;
                    }
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (!Character.isSurrogate(c)) {
                        sb.append(c);
                    }
            }
        }
        return sb.toString();
    }

    static String fmt(double v) {
        long tenths = Math.round(v * 10);
        return tenths % 10 == 0 ? Long.toString(tenths / 10) : (tenths < 0 && tenths > -10 ? "-0." + (-tenths) : (tenths / 10) + "." + Math.abs(tenths % 10));
    }

    // ---------------------------------------------------------------------------------------------
    // the base map, projected once

    /** Equirectangular projection with the longitude scaled by cos(mean latitude), fitted to a 1000-unit wide view. */
    static final class Basemap {
        private static volatile Basemap instance;

        static final double WIDTH = 1000;
        static final double PAD = 18;

        final double width;
        final double height;
        final int approximateSize;
        private final double minLon;
        private final double maxLat;
        private final double kx;
        private final double scale;
        final List<RegionShapes.CityShape> cities;
        final Map<Integer, String> cityPaths = new HashMap<>();
        final String provinceBorders;
        final String labels;

        private Basemap(RegionShapes shapes) {
            this.cities = shapes.cities();
            this.minLon = shapes.minLon();
            this.maxLat = shapes.maxLat();
            this.kx = Math.cos(Math.toRadians((shapes.minLat() + shapes.maxLat()) / 2));
            this.scale = (WIDTH - 2 * PAD) / ((shapes.maxLon() - shapes.minLon()) * kx);
            this.width = WIDTH;
            this.height = Math.ceil((shapes.maxLat() - shapes.minLat()) * scale + 2 * PAD);
            int size = 0;
            for (RegionShapes.CityShape c : cities) {
                StringBuilder d = new StringBuilder();
                for (double[][] ring : c.rings()) {
                    String last = null;
                    int n = 0;
                    for (double[] v : ring) {
                        String pt = fmt(x(v[0])) + ',' + fmt(y(v[1]));
                        if (!pt.equals(last)) {
                            d.append(n == 0 ? 'M' : 'L').append(pt);
                            last = pt;
                            n++;
                        }
                    }
                    d.append('Z');
                }
                cityPaths.put(c.code(), d.toString());
                size += d.length() + 120;
            }
            this.provinceBorders = provinceBorders();
            StringBuilder l = new StringBuilder("<g class=\"labels\">\n");
            for (RegionShapes.CityShape c : cities) {
                String name = c.name().endsWith("市") && c.name().length() > 2 ? c.name().substring(0, c.name().length() - 1) : c.name();
                l.append("<text class=\"label\" x=\"").append(fmt(x(c.labelLon()))).append("\" y=\"").append(fmt(y(c.labelLat())))
                        .append("\">").append(esc(name)).append("</text>\n");
            }
            this.labels = l.append("</g>\n").toString();
            this.approximateSize = size + provinceBorders.length() + labels.length();
        }

        static Basemap get() {
            Basemap b = instance;
            if (b == null) {
                synchronized (Basemap.class) {
                    b = instance;
                    if (b == null) {
                        b = new Basemap(RegionShapes.get());
                        instance = b;
                    }
                }
            }
            return b;
        }

        double x(double lon) {
            return PAD + (lon - minLon) * kx * scale;
        }

        double y(double lat) {
            return PAD + (maxLat - lat) * scale;
        }

        RegionShapes.CityShape city(String code) {
            for (RegionShapes.CityShape c : cities) {
                if (String.valueOf(c.code()).equals(code)) {
                    return c;
                }
            }
            return null;
        }

        /**
         * Polylines along every segment that separates two provinces or borders no other city,
         * each drawn once (by the smaller city code when two cities share it).
         */
        private String provinceBorders() {
            Map<List<Double>, List<RegionShapes.CityShape>> owners = new HashMap<>();
            for (RegionShapes.CityShape c : cities) {
                for (double[][] ring : c.rings()) {
                    for (int i = 0; i + 1 < ring.length; i++) {
                        owners.computeIfAbsent(key(ring[i], ring[i + 1]), k -> new ArrayList<>(2)).add(c);
                    }
                }
            }
            StringBuilder sb = new StringBuilder("<g class=\"provinces\">\n");
            for (RegionShapes.CityShape c : cities) {
                for (double[][] ring : c.rings()) {
                    List<double[]> run = new ArrayList<>();
                    for (int i = 0; i + 1 < ring.length; i++) {
                        List<RegionShapes.CityShape> o = owners.get(key(ring[i], ring[i + 1]));
                        boolean border = o.size() == 1 || o.stream().anyMatch(x -> x.province() != c.province());
                        boolean mine = o.stream().allMatch(x -> x.code() >= c.code());
                        if (border && mine) {
                            if (run.isEmpty()) {
                                run.add(ring[i]);
                            }
                            run.add(ring[i + 1]);
                        } else {
                            polyline(sb, run);
                            run.clear();
                        }
                    }
                    polyline(sb, run);
                }
            }
            return sb.append("</g>\n").toString();
        }

        private void polyline(StringBuilder sb, List<double[]> run) {
            if (run.size() < 2) {
                return;
            }
            sb.append("<polyline class=\"prov-border\" points=\"");
            String last = null;
            for (double[] v : run) {
                String pt = fmt(x(v[0])) + ',' + fmt(y(v[1]));
                if (!pt.equals(last)) {
                    sb.append(last == null ? "" : " ").append(pt);
                    last = pt;
                }
            }
            sb.append("\"/>\n");
        }

        private static List<Double> key(double[] a, double[] b) {
            boolean aFirst = a[0] < b[0] || (a[0] == b[0] && a[1] <= b[1]);
            return aFirst ? List.of(a[0], a[1], b[0], b[1]) : List.of(b[0], b[1], a[0], a[1]);
        }
    }

    private static final String CSS = String.join("\n",
            "html, body { margin: 0; height: 100%; background: #0b1220; color: #e2e8f0;",
            "  font-family: \"Noto Sans CJK SC\", \"Noto Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", \"WenQuanYi Micro Hei\", sans-serif; }",
            ".wrap { display: flex; height: 100vh; }",
            "main { flex: 1 1 auto; min-width: 0; display: flex; align-items: center; justify-content: center; padding: 6px; }",
            "svg.map { width: 100%; height: 100%; }",
            ".city { stroke: #3b4a63; stroke-width: 0.6; fill-rule: evenodd; }",
            ".city.p310000 { fill: #1c2a44; } .city.p320000 { fill: #1a2f3a; } .city.p330000 { fill: #22283f; } .city.p340000 { fill: #202b33; }",
            ".city.hot-high { fill: #2e2a2a; } .city.hot-crit { fill: #33222c; } .city.hot-low { fill: #2c2f24; }",
            ".city.city-high { fill: #6b4311; } .city.city-crit { fill: #7a1f24; } .city.city-low { fill: #4d4d1c; }",
            ".city:hover { fill: #334155; }",
            ".prov-border { fill: none; stroke: #a5b4cc; stroke-width: 1.8; stroke-linejoin: round; stroke-linecap: round; }",
            ".label { font-size: 10.5px; fill: #8ea0bb; text-anchor: middle; pointer-events: none; }",
            ".chain .link { stroke-width: 1.8; stroke-opacity: 0.9; }",
            ".chain.cyber .link { stroke-width: 1.2; stroke-opacity: 0.55; }",
            ".sev-CRITICAL .link, .sev-CRITICAL .hub { stroke: #ef4444; } .sev-CRITICAL .hub, .sev-CRITICAL .ev { fill: #ef4444; }",
            ".sev-HIGH .link, .sev-HIGH .hub { stroke: #f59e0b; } .sev-HIGH .hub, .sev-HIGH .ev { fill: #f59e0b; }",
            ".sev-MEDIUM .link, .sev-MEDIUM .hub { stroke: #eab308; } .sev-MEDIUM .hub, .sev-MEDIUM .ev { fill: #eab308; }",
            ".sev-LOW .link, .sev-LOW .hub { stroke: #60a5fa; } .sev-LOW .hub, .sev-LOW .ev { fill: #60a5fa; }",
            ".chain.cancelled .link { stroke: #94a3b8; stroke-dasharray: 5 4; stroke-opacity: 0.7; }",
            ".chain.cancelled .hub, .chain.cancelled .ev { fill: #64748b; stroke: #94a3b8; }",
            ".ev { stroke: #0b1220; stroke-width: 0.8; }",
            ".ev.city-pt { fill-opacity: 0.35; stroke-width: 1.2; }",
            ".hub { stroke-width: 2; stroke: #fff !important; }",
            ".esc-ring { fill: none; stroke: #c084fc; stroke-width: 2.2; stroke-dasharray: 4 3; }",
            ".esc-mark { fill: #a855f7; stroke: #f5f3ff; stroke-width: 1.2; }",
            ".esc-text { font-size: 10px; font-weight: 700; fill: #fff; text-anchor: middle; pointer-events: none; }",
            ".badge { font-size: 11px; font-weight: 700; fill: #f8fafc; paint-order: stroke; stroke: #0b1220; stroke-width: 3px; }",
            "aside { flex: 0 0 470px; height: 100vh; overflow-y: auto; box-sizing: border-box; padding: 14px 16px;",
            "  background: #111a2e; border-left: 1px solid #24324d; font-size: 13px; }",
            "h1 { font-size: 18px; margin: 0 0 4px; } h1 small { font-size: 12px; color: #94a3b8; font-weight: 400; }",
            "h2 { font-size: 13px; margin: 14px 0 6px; color: #cbd5e1; text-transform: uppercase; letter-spacing: 0.04em; }",
            "h2 small { color: #94a3b8; font-weight: 400; }",
            ".clock { color: #94a3b8; font-variant-numeric: tabular-nums; }",
            "table.counters { border-collapse: collapse; width: 100%; }",
            "table.counters td { padding: 2px 4px; border-bottom: 1px solid #1e2a42; }",
            "td.num { text-align: right; font-variant-numeric: tabular-nums; color: #f8fafc; }",
            "ol.alerts { list-style: none; margin: 0; padding: 0; }",
            "li.alert { margin: 0 0 7px; padding: 6px 8px; border-radius: 5px; background: #16213a; border-left: 4px solid #60a5fa; }",
            "li.alert.sev-CRITICAL { border-left-color: #ef4444; } li.alert.sev-HIGH { border-left-color: #f59e0b; }",
            "li.alert.sev-MEDIUM { border-left-color: #eab308; }",
            "li.alert.cancelled { border-left-color: #94a3b8; opacity: 0.65; } li.alert.cancelled .sum { text-decoration: line-through; }",
            "li.alert.escalation { background: #221a3a; }",
            ".head { display: flex; gap: 8px; align-items: baseline; }",
            ".head .n { font-weight: 700; min-width: 18px; }",
            ".head .sev { font-weight: 700; } .sev-CRITICAL .head .sev { color: #f87171; } .sev-HIGH .head .sev { color: #fbbf24; }",
            ".head .type { color: #cbd5e1; } .head .age { margin-left: auto; color: #94a3b8; }",
            ".tag-esc { color: #d8b4fe; font-weight: 700; }",
            ".id { font-family: \"DejaVu Sans Mono\", Consolas, monospace; font-size: 11.5px; color: #93c5fd; word-break: break-all; }",
            ".rcpt { color: #a5b4cc; font-size: 12px; }",
            ".sum { margin-top: 2px; line-height: 1.35; }",
            ".empty { color: #94a3b8; }",
            "svg.legend { width: 100%; height: 92px; }",
            "svg.legend text { font-size: 11px; fill: #cbd5e1; }",
            "");

    private static final String LEGEND = String.join("\n",
            "<h2>图例 Legend</h2>",
            "<svg class=\"legend\" viewBox=\"0 0 440 92\">",
            "<line x1=\"4\" y1=\"10\" x2=\"34\" y2=\"10\" stroke=\"#ef4444\" stroke-width=\"2\"/><text x=\"40\" y=\"14\">CRITICAL 特别重大</text>",
            "<line x1=\"220\" y1=\"10\" x2=\"250\" y2=\"10\" stroke=\"#f59e0b\" stroke-width=\"2\"/><text x=\"256\" y=\"14\">HIGH 重大</text>",
            "<line x1=\"4\" y1=\"32\" x2=\"34\" y2=\"32\" stroke=\"#94a3b8\" stroke-width=\"2\" stroke-dasharray=\"5 4\"/><text x=\"40\" y=\"36\">已撤销 cancelled</text>",
            "<circle cx=\"235\" cy=\"32\" r=\"10\" fill=\"none\" stroke=\"#c084fc\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>"
                    + "<polygon points=\"235,26 241,32 235,38 229,32\" fill=\"#a855f7\"/><text x=\"256\" y=\"36\">未签收升级 escalation</text>",
            "<rect x=\"8\" y=\"51\" width=\"7\" height=\"7\" fill=\"#cbd5e1\"/><text x=\"22\" y=\"58\">传感器 sensor</text>",
            "<circle cx=\"122\" cy=\"54.5\" r=\"3.2\" fill=\"#cbd5e1\"/><text x=\"130\" y=\"58\">110警情 call</text>",
            "<polygon points=\"230,50 234.2,57.5 225.8,57.5\" fill=\"#cbd5e1\"/><text x=\"240\" y=\"58\">诈骗报案 fraud report</text>",
            "<circle cx=\"11\" cy=\"76\" r=\"5.5\" fill=\"#94a3b8\" stroke=\"#fff\" stroke-width=\"2\"/><text x=\"22\" y=\"80\">预警位置 alert location</text>",
            "<rect x=\"220\" y=\"70\" width=\"14\" height=\"10\" fill=\"#7a1f24\" stroke=\"#a5b4cc\"/><text x=\"240\" y=\"80\">涉及城市/省份 (5 min)</text>",
            "</svg>",
            "");
}
