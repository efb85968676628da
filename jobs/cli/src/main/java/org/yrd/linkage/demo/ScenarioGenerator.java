package org.yrd.linkage.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.yrd.linkage.ident.Identifiers;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.model.AckStatus;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.FraudType;
import org.yrd.linkage.model.IdentifierType;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.region.Geo;
import org.yrd.linkage.region.Region;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The demo's input traffic in live time: a steady background of sub-threshold sensor readings,
 * 110 calls and isolated fraud reports all over the region, and every 8 to 12 seconds one planted
 * cross-border chain that the default rule pack (rules-v1.md) turns into an alert, in rotation
 * INC-CASCADE, INC-SPREAD, INC-CLUSTER, CYB-LINK, CYB-BURST. About 60% of the planted chains are
 * acknowledged by every affected province within the SLA, each on its own topic (received,
 * verifying, confirmed or a false alarm); the rest escalate (ESC-ACK). Scenario time may run faster
 * than the wall clock (the demo's {@code --speed}), so that SLAs expire within a short demo.
 *
 * <p>Each planted chain is laid out when it starts, with all its timestamps, so its later events
 * come out of later {@link #advance} calls. Events are stamped with the generator time at which
 * they fall due, less a jitter of up to 3 s, so a few arrive mildly out of order. Planting keeps
 * the alert id predictable: it picks sensors with no open incident, sites where no other
 * INC-SPREAD episode or INC-CLUSTER cluster of the same kind could absorb the anchor, fresh fraud
 * identifiers, and it keeps background calls of the related categories out of a planted chain's
 * area while its rule can still take them in. Unplanned alerts can still arise (two cascades on
 * the same border a few minutes apart make an INC-SPREAD, for example): they are part of the mix.
 *
 * <p>Deterministic for a given seed and sequence of {@code nowMillis} values: all randomness is
 * drawn in generator-time order. Not thread-safe.
 */
public final class ScenarioGenerator {

    /** Ids of the deliberately malformed records start with this. */
    public static final String MALFORMED_ID_PREFIX = "bad-";
    /** Share of background records that are deliberately malformed (truncated JSON or a field of the wrong type). */
    public static final double MALFORMED_RATE = 1.0 / 2000;
    /** Share of planted chains that every affected province acknowledges in time. */
    public static final double ACK_RATE = 0.6;

    static final long SECOND = 1_000L;
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;
    static final int FLEET_SIZE = 300;
    static final long MIN_CHAIN_GAP_MS = 8 * SECOND;
    static final long MAX_CHAIN_GAP_MS = 12 * SECOND;
    static final long FIRST_CHAIN_AFTER_MS = 3 * SECOND;
    static final long MAX_JITTER_MS = 3 * SECOND;

    private static final List<String> PROVINCES = List.of("310000", "320000", "330000", "340000");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One input record, ready to be sent as the Kafka value of {@code stream}'s topic. lat/lon are NaN for acks; for a fraud report they are a point in the victim's city. */
    public record GeneratedRecord(StreamKind stream, String id, long ts, double lat, double lon, String json) {
        /** Whether this is one of the deliberately malformed records, which the engine must dead-letter. */
        public boolean malformed() {
            return id.startsWith(MALFORMED_ID_PREFIX);
        }

        /** The topic to produce this record to: its stream's, or for an acknowledgement its province's own (contracts/README.md). */
        public String topic(Topics topics) {
            if (stream != StreamKind.ACK) {
                return topics.input(stream);
            }
            try {
                return topics.acks(JSON.readTree(json).path("province").asText());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the generator wrote an acknowledgement that is not JSON: " + json, e);
            }
        }
    }

    /**
     * One planted chain: the rule it is made for, its anchor event, the alert id the engine will
     * give it, the provinces it spans (sorted), its events in order, when it starts and when its
     * last event falls due, and whether its provinces acknowledge the alert.
     */
    public record PlantedChain(String ruleId, String anchorId, String alertId, List<String> provinces,
                               List<String> eventIds, long startTs, long completeTs, boolean acknowledged) {}

    enum Rule {
        CASCADE("INC-CASCADE"), SPREAD("INC-SPREAD"), CLUSTER("INC-CLUSTER"), LINK("CYB-LINK"), BURST("CYB-BURST");

        final String id;

        Rule(String id) {
            this.id = id;
        }
    }

    private static final Map<SensorKind, Double> THRESHOLD = new EnumMap<>(Map.of(
            SensorKind.WATER_LEVEL, 5.0, SensorKind.RAINFALL, 50.0, SensorKind.GAS, 25.0, SensorKind.SMOKE, 10.0,
            SensorKind.WATER_QUALITY, 40.0, SensorKind.AIR_QUALITY, 250.0, SensorKind.STRUCTURAL, 1000.0));
    private static final Map<SensorKind, String> UNIT = new EnumMap<>(Map.of(
            SensorKind.WATER_LEVEL, "m", SensorKind.RAINFALL, "mm/h", SensorKind.GAS, "%LEL", SensorKind.SMOKE, "%obs/m",
            SensorKind.WATER_QUALITY, "mg/L", SensorKind.AIR_QUALITY, "ug/m3", SensorKind.STRUCTURAL, "ue"));
    private static final Map<SensorKind, String> ABBR = new EnumMap<>(Map.of(
            SensorKind.WATER_LEVEL, "WAT", SensorKind.RAINFALL, "RAI", SensorKind.GAS, "GAS", SensorKind.SMOKE, "SMO",
            SensorKind.WATER_QUALITY, "WQ", SensorKind.AIR_QUALITY, "AIR", SensorKind.STRUCTURAL, "STR"));
    /** The call categories a planted cascade uses per sensor kind: the related categories of rules-v1.md that are fire-like. */
    private static final Map<SensorKind, List<CallCategory>> CASCADE_CALLS = new EnumMap<>(Map.of(
            SensorKind.GAS, List.of(CallCategory.GAS_LEAK, CallCategory.EXPLOSION, CallCategory.FIRE),
            SensorKind.SMOKE, List.of(CallCategory.FIRE, CallCategory.EXPLOSION)));
    /** Related call categories per sensor kind (rules-v1.md): the calls an INC-CASCADE incident of the kind takes in. */
    private static final Map<SensorKind, Set<CallCategory>> RELATED = new EnumMap<>(Map.of(
            SensorKind.WATER_LEVEL, EnumSet.of(CallCategory.FLOOD), SensorKind.RAINFALL, EnumSet.of(CallCategory.FLOOD),
            SensorKind.GAS, EnumSet.of(CallCategory.GAS_LEAK, CallCategory.EXPLOSION, CallCategory.FIRE),
            SensorKind.SMOKE, EnumSet.of(CallCategory.FIRE, CallCategory.EXPLOSION),
            SensorKind.WATER_QUALITY, EnumSet.of(CallCategory.POLLUTION), SensorKind.AIR_QUALITY, EnumSet.of(CallCategory.POLLUTION),
            SensorKind.STRUCTURAL, EnumSet.of(CallCategory.COLLAPSE, CallCategory.EXPLOSION)));
    /** Radius within which an INC-CASCADE incident takes in calls (15 km), with a margin. */
    private static final double CATCH_KM = 16;
    private static final List<CallCategory> CLUSTER_CATEGORIES = List.of(
            CallCategory.TRAFFIC_ACCIDENT, CallCategory.PUBLIC_DISORDER, CallCategory.VIOLENCE,
            CallCategory.FLOOD, CallCategory.POLLUTION, CallCategory.COLLAPSE);
    private static final Map<CallCategory, String> CALL_TEXT = new EnumMap<>(Map.ofEntries(
            Map.entry(CallCategory.FIRE, "报警人称附近楼房起火，有浓烟"), Map.entry(CallCategory.EXPLOSION, "报警人听到巨大爆炸声"),
            Map.entry(CallCategory.GAS_LEAK, "报警人闻到强烈燃气味"), Map.entry(CallCategory.FLOOD, "道路积水严重，车辆被困"),
            Map.entry(CallCategory.COLLAPSE, "报警人称建筑物部分坍塌"), Map.entry(CallCategory.POLLUTION, "河道出现异味和死鱼"),
            Map.entry(CallCategory.TRAFFIC_ACCIDENT, "两车相撞，有人受伤"), Map.entry(CallCategory.PUBLIC_DISORDER, "多人聚集发生争执"),
            Map.entry(CallCategory.VIOLENCE, "报警人称遭到殴打"), Map.entry(CallCategory.FRAUD, "报警人称被冒充客服骗取钱款"),
            Map.entry(CallCategory.MISSING_PERSON, "家中老人走失"), Map.entry(CallCategory.OTHER, "其他求助")));
    private static final CallCategory[] BACKGROUND_CATEGORIES = {
        CallCategory.OTHER, CallCategory.TRAFFIC_ACCIDENT, CallCategory.PUBLIC_DISORDER, CallCategory.FRAUD,
        CallCategory.VIOLENCE, CallCategory.POLLUTION, CallCategory.FIRE, CallCategory.FLOOD, CallCategory.GAS_LEAK,
        CallCategory.EXPLOSION, CallCategory.MISSING_PERSON, CallCategory.COLLAPSE};
    private static final int[] BACKGROUND_WEIGHTS = {27, 17, 12, 10, 8, 6, 6, 5, 3, 2, 2, 2};

    private record Place(double lat, double lon, int city) {
        int province() {
            return city / 10000 * 10000;
        }
    }

    private record Pending(long due, long seq, GeneratedRecord record) {}

    private record CallMark(CallCategory category, double lat, double lon, long ts) {}

    /** A breach that may have opened an INC-SPREAD episode; {@code planted} marks the anchors of planted INC-SPREAD chains. */
    private record AnchorMark(SensorKind kind, double lat, double lon, long ts, boolean planted) {}

    /**
     * A circle and time window for some call categories. A planted chain's <em>catch zone</em> is
     * where its rule would take in calls of those categories (no other call may land there); its
     * <em>call zone</em> is where its own calls are (no other planted breach may catch them).
     */
    private record Zone(Set<CallCategory> categories, double lat, double lon, double radiusKm, long from, long until) {

        boolean covers(CallCategory cat, double plat, double plon, long ts) {
            return categories.contains(cat) && ts >= from && ts <= until && Geo.distanceKm(lat, lon, plat, plon) <= radiusKm;
        }
    }

    /** The events of one chain being planted. */
    private final class ChainPlan {
        final Rule rule;
        final long start;
        final List<String> ids = new ArrayList<>();
        final Set<String> provinces = new TreeSet<>();
        long end;

        ChainPlan(Rule rule, long start) {
            this.rule = rule;
            this.start = start;
            this.end = start;
        }

        void add(long due, GeneratedRecord r, int province) {
            enqueue(due, r);
            ids.add(r.id());
            provinces.add(String.valueOf(province));
            end = Math.max(end, due);
        }
    }

    private final long seed;
    private final double backgroundPerMs;
    private final double speed;
    private final Region region = Region.get();
    private final RegionShapes shapes = RegionShapes.get();
    private final Random rng;
    private final List<Sensor> fleet = new ArrayList<>();
    private final PriorityQueue<Pending> queue =
            new PriorityQueue<>(Comparator.comparingLong(Pending::due).thenComparingLong(Pending::seq));
    private final List<CallMark> recentCalls = new ArrayList<>();
    private final List<AnchorMark> anchors = new ArrayList<>();
    private final List<Zone> catchZones = new ArrayList<>();
    private final List<Zone> callZones = new ArrayList<>();
    private final Set<String> usedIdentifiers = new HashSet<>();
    private final List<PlantedChain> planted = new ArrayList<>();

    private boolean started;
    private long lastNow;
    private double nextBackgroundAt;
    private long nextChainAt;
    private int rotation;
    private long seq;
    private String tag;
    private int sensorCounter;
    private long readingCounter;
    private long callCounter;
    private long reportCounter;
    private long malformedCounter;

    /**
     * A scenario whose time is the wall clock's.
     *
     * @param seed                      fixes the fleet and every random choice
     * @param backgroundEventsPerSecond mean rate of background records (readings, calls, reports), 0 for planted chains only
     */
    public ScenarioGenerator(long seed, double backgroundEventsPerSecond) {
        this(seed, backgroundEventsPerSecond, 1);
    }

    /**
     * A scenario whose time runs {@code speed} times faster than the wall clock (the demo's
     * {@code --speed}, so that SLAs expire within minutes): {@link #advance} is given scenario
     * time, and rates stay per second of the wall clock, so a chain is still planted every 8 to
     * 12 s and {@code backgroundEventsPerSecond} arrive each second, whatever the speed.
     *
     * @param speed scenario milliseconds per wall-clock millisecond, at least 1
     */
    public ScenarioGenerator(long seed, double backgroundEventsPerSecond, double speed) {
        if (!(backgroundEventsPerSecond >= 0) || Double.isInfinite(backgroundEventsPerSecond)) {
            throw new IllegalArgumentException("backgroundEventsPerSecond must be finite and >= 0: " + backgroundEventsPerSecond);
        }
        if (!(speed >= 1) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed must be finite and >= 1: " + speed);
        }
        this.seed = seed;
        this.speed = speed;
        this.backgroundPerMs = backgroundEventsPerSecond / 1000.0 / speed;
        this.rng = new Random(seed);
        buildFleet(new Random(seed ^ 0x5DEECE66DL));
    }

    /**
     * The records due since the previous call, in due order. The first call only starts the clock
     * (nothing is due yet; the first chain starts 3 s later). A {@code nowMillis} that does not move
     * forward returns nothing.
     */
    public List<GeneratedRecord> advance(long nowMillis) {
        if (!started) {
            started = true;
            lastNow = nowMillis;
            tag = Long.toString(Math.floorDiv(nowMillis, SECOND), 36) + "-" + Long.toString(Math.floorMod(seed, 1296L), 36);
            nextBackgroundAt = backgroundPerMs > 0 ? nowMillis + exponential() : Double.POSITIVE_INFINITY;
            nextChainAt = nowMillis + (long) (FIRST_CHAIN_AFTER_MS * speed);
            return List.of();
        }
        if (nowMillis <= lastNow) {
            return List.of();
        }
        while (true) {
            long background = nextBackgroundAt >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) nextBackgroundAt;
            if (nextChainAt <= nowMillis && nextChainAt <= background) {
                plantChain(nextChainAt);
                nextChainAt += (long) (speed * (MIN_CHAIN_GAP_MS + rng.nextDouble() * (MAX_CHAIN_GAP_MS - MIN_CHAIN_GAP_MS)));
            } else if (background <= nowMillis) {
                background(Math.max(background, lastNow + 1));
                nextBackgroundAt += exponential();
            } else {
                break;
            }
        }
        List<GeneratedRecord> due = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().due() <= nowMillis) {
            due.add(queue.poll().record());
        }
        lastNow = nowMillis;
        return due;
    }

    /** What was planted so far, in order of start (including chains whose later events are not due yet). */
    public List<PlantedChain> planted() {
        return Collections.unmodifiableList(new ArrayList<>(planted));
    }

    int fleetSize() {
        return fleet.size();
    }

    List<Sensor> fleet() {
        return Collections.unmodifiableList(fleet);
    }

    // ---------------------------------------------------------------------------------------------
    // the fleet

    /**
     * About 300 sensors of all kinds: three in every city; a GAS, a SMOKE and one more sensor on
     * both sides of every provincial border, 1 to 4 km in (the sites of planted breaches); the rest
     * anywhere in the region.
     */
    private void buildFleet(Random r) {
        SensorKind[] kinds = SensorKind.values();
        List<SensorKind> others = new ArrayList<>(List.of(kinds));
        others.removeAll(List.of(SensorKind.GAS, SensorKind.SMOKE));
        int i = 0;
        for (RegionShapes.BorderPair pair : shapes.crossBorders()) {
            SensorKind extra = others.get(i++ % others.size());
            for (int side = 0; side < 2; side++) {
                int city = side == 0 ? pair.cityA() : pair.cityB();
                int across = Region.provinceOf(side == 0 ? pair.cityB() : pair.cityA());
                for (SensorKind kind : List.of(SensorKind.GAS, SensorKind.SMOKE, extra)) {
                    double[] v = pair.vertices().get(r.nextInt(pair.vertices().size()));
                    Place p = pointNear(r, v[0], v[1], 1, 4, Region.provinceOf(city));
                    if (p != null) {
                        fleet.add(newSensor(r, kind, p, across));
                    }
                }
            }
        }
        int k = 0;
        for (RegionShapes.CityShape c : shapes.cities()) {
            for (int j = 0; j < 3; j++) {
                Place p = pointInCity(r, c.code());
                fleet.add(newSensor(r, kinds[k++ % kinds.length], p, 0));
            }
        }
        while (fleet.size() < FLEET_SIZE) {
            fleet.add(newSensor(r, kinds[k++ % kinds.length], pointInRegion(r), 0));
        }
    }

    private Sensor newSensor(Random r, SensorKind kind, Place p, int acrossProvince) {
        String id = String.format(Locale.ROOT, "%s-%d-%03d", ABBR.get(kind), p.city(), ++sensorCounter);
        return new Sensor(id, kind, p.lat(), p.lon(), p.city(), r.nextDouble() < 0.5, acrossProvince, 0.2 + 0.4 * r.nextDouble());
    }

    // ---------------------------------------------------------------------------------------------
    // background

    private void background(long due) {
        long ts = due - jitter();
        boolean bad = rng.nextDouble() < MALFORMED_RATE;
        double u = rng.nextDouble();
        ObjectNode node;
        StreamKind stream;
        double lat, lon;
        String id = bad ? MALFORMED_ID_PREFIX + tag + "-" + (++malformedCounter) : null;
        if (u < 0.62) {
            Sensor s = fleet.get(rng.nextInt(fleet.size()));
            s.level = Math.max(0.05, Math.min(0.85, s.level + (rng.nextDouble() - 0.5) * 0.06));
            stream = StreamKind.SENSOR;
            id = id != null ? id : nextId("s");
            node = readingNode(s, id, ts, THRESHOLD.get(s.kind) * s.level);
            lat = s.lat;
            lon = s.lon;
        } else if (u < 0.90) {
            CallCategory cat = weightedCategory();
            Place p = null;
            for (int tries = 0; tries < 20 && p == null; tries++) {
                Place q = pointInRegion(rng);
                if (!caught(cat, q, ts)) {
                    p = q;
                }
            }
            if (p == null) {
                cat = CallCategory.OTHER;
                p = pointInRegion(rng);
            }
            stream = StreamKind.CALL;
            id = id != null ? id : nextId("c");
            node = callNode(id, ts, p, cat);
            if (!bad) {
                recentCalls.add(new CallMark(cat, p.lat(), p.lon(), ts));
            }
            lat = p.lat();
            lon = p.lon();
        } else {
            int city = shapes.cities().get(rng.nextInt(shapes.cities().size())).code();
            Place p = pointInCity(rng, city);
            List<String[]> idents = new ArrayList<>();
            idents.add(randomIdentifier());
            if (rng.nextDouble() < 0.3) {
                idents.add(randomIdentifier());
            }
            stream = StreamKind.FRAUD;
            id = id != null ? id : nextId("f");
            node = reportNode(id, ts, city, amount(), idents);
            lat = p.lat();
            lon = p.lon();
        }
        String json = bad ? malform(node, ts) : write(node);
        enqueue(due, new GeneratedRecord(stream, id, ts, lat, lon, json));
    }

    /** Truncated JSON, or the timestamp or an other required field with a value of the wrong type. */
    private String malform(ObjectNode node, long ts) {
        if (rng.nextBoolean()) {
            String json = write(node);
            return json.substring(0, 1 + rng.nextInt(json.length() - 2));
        }
        if (rng.nextBoolean()) {
            node.put("ts", String.valueOf(ts));
        } else if (node.has("lat")) {
            node.put("lat", String.valueOf(node.get("lat").asDouble()));
        } else {
            node.put("amountCny", "about " + node.get("amountCny").asText());
        }
        return write(node);
    }

    private CallCategory weightedCategory() {
        int total = 0;
        for (int w : BACKGROUND_WEIGHTS) {
            total += w;
        }
        int x = rng.nextInt(total);
        for (int i = 0; i < BACKGROUND_WEIGHTS.length; i++) {
            x -= BACKGROUND_WEIGHTS[i];
            if (x < 0) {
                return BACKGROUND_CATEGORIES[i];
            }
        }
        return CallCategory.OTHER;
    }

    // ---------------------------------------------------------------------------------------------
    // planted chains

    private void plantChain(long t) {
        recentCalls.removeIf(c -> c.ts() < t - 30 * MINUTE);
        anchors.removeIf(a -> a.ts() < t - 7 * HOUR);
        catchZones.removeIf(z -> z.until() < t - MINUTE);
        callZones.removeIf(z -> z.until() < t - MINUTE);
        Rule[] rules = Rule.values();
        for (int attempt = 0; attempt < rules.length; attempt++) {
            Rule rule = rules[(rotation + attempt) % rules.length];
            boolean done;
            switch (rule) {
                case CASCADE: done = plantCascade(t); break;
                case SPREAD: done = plantSpread(t); break;
                case CLUSTER: done = plantCluster(t); break;
                case LINK: done = plantLink(t); break;
                default: done = plantBurst(t); break;
            }
            if (done) {
                rotation = (rotation + attempt + 1) % rules.length;
                return;
            }
        }
        rotation = (rotation + 1) % rules.length;
    }

    /**
     * INC-CASCADE across a border: a GAS or SMOKE breach of a border sensor with no open incident,
     * then 3 to 5 related calls within 10 km over the next 20 to 60 s, on both sides of the border.
     * Sensors whose breach would open no episode shared with an earlier breach go first (fewer
     * unplanned INC-SPREAD alerts); the site must be clear of other chains' calls and zones.
     */
    private boolean plantCascade(long t) {
        List<Sensor> fresh = new ArrayList<>();
        List<Sensor> other = new ArrayList<>();
        for (Sensor s : fleet) {
            if (CASCADE_CALLS.containsKey(s.kind) && s.acrossProvince != 0 && s.lastBreach + 31 * MINUTE < t
                    && !nearAnchor(s.kind, s.lat, s.lon, t, true)) {
                (nearAnchor(s.kind, s.lat, s.lon, t, false) ? other : fresh).add(s);
            }
        }
        Collections.shuffle(fresh, rng);
        Collections.shuffle(other, rng);
        fresh.addAll(other);
        for (Sensor s : fresh.subList(0, Math.min(fresh.size(), 16))) {
            int home = s.province();
            int across = s.acrossProvince;
            int n = 3 + rng.nextInt(3);
            long duration = 20 * SECOND + (long) (rng.nextDouble() * 40 * SECOND);
            long[] offsets = sortedOffsets(n, 5 * SECOND, duration);
            if (catches(s.kind, s.lat, s.lon, t - 2 * MAX_JITTER_MS, t + offsets[n - 1] + 31 * MINUTE)) {
                continue;
            }
            // categories in rotation, so that one cascade never makes five calls of one category (an INC-CLUSTER)
            List<CallCategory> cats = new ArrayList<>(CASCADE_CALLS.get(s.kind));
            Collections.shuffle(cats, rng);
            List<Place> places = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int province = i == 1 || (i >= 2 && rng.nextBoolean()) ? across : home;
                CallCategory cat = cats.get(i % cats.size());
                for (int tries = 0; tries < 10 && places.size() == i; tries++) {
                    Place p = pointNear(rng, s.lat, s.lon, 0.5, 9.5, province);
                    if (p != null && !caught(cat, p, t + offsets[i])) {
                        places.add(p);
                    }
                }
                if (places.size() == i) {
                    break;
                }
            }
            if (places.size() < n) {
                continue;
            }
            ChainPlan plan = new ChainPlan(Rule.CASCADE, t);
            String breachId = nextId("s");
            long breachTs = t - jitter();
            double value = THRESHOLD.get(s.kind) * (1.1 + 0.7 * rng.nextDouble());
            plan.add(t, new GeneratedRecord(StreamKind.SENSOR, breachId, breachTs, s.lat, s.lon,
                    write(readingNode(s, breachId, breachTs, value))), home);
            s.lastBreach = t;
            anchors.add(new AnchorMark(s.kind, s.lat, s.lon, breachTs, false));
            for (int i = 0; i < n; i++) {
                long due = t + offsets[i];
                plan.add(due, call(nextId("c"), due - jitter(), places.get(i), cats.get(i % cats.size())),
                        places.get(i).province());
            }
            catchZones.add(new Zone(RELATED.get(s.kind), s.lat, s.lon, CATCH_KM, t - 2 * MAX_JITTER_MS, plan.end + 31 * MINUTE));
            callZones.add(new Zone(EnumSet.copyOf(cats), s.lat, s.lon, 10, t - 2 * MAX_JITTER_MS, plan.end));
            finish(plan, breachId, Rule.CASCADE.id + ":" + breachId);
            return true;
        }
        return false;
    }

    /**
     * INC-SPREAD: the same kind of hazard breaching on both sides of a border, 3 to 45 km apart,
     * 10 to 40 s after each other, at a site where no earlier breach of the kind could have opened
     * an episode that would absorb the first one.
     */
    private boolean plantSpread(long t) {
        List<SensorKind> kinds = new ArrayList<>(List.of(SensorKind.values()));
        kinds.removeAll(CASCADE_CALLS.keySet());
        Collections.shuffle(kinds, rng);
        kinds.addAll(CASCADE_CALLS.keySet());
        for (int attempt = 0; attempt < 40; attempt++) {
            SensorKind kind = kinds.get(attempt % kinds.size());
            RegionShapes.BorderPair pair = randomPair();
            double[] v = pair.vertices().get(rng.nextInt(pair.vertices().size()));
            boolean flip = rng.nextBoolean();
            int p1 = Region.provinceOf(flip ? pair.cityB() : pair.cityA());
            int p2 = Region.provinceOf(flip ? pair.cityA() : pair.cityB());
            long until = t + 41 * SECOND + 31 * MINUTE;
            Sensor a = sensorFor(kind, v[0], v[1], 20, p1, p2, t);
            if (a == null || nearAnchor(kind, a.lat, a.lon, t, false) || catches(kind, a.lat, a.lon, t - 2 * MAX_JITTER_MS, until)) {
                continue;
            }
            Sensor b = sensorFor(kind, v[0], v[1], 20, p2, p1, t);
            // the second breach joins the first one's episode; it must join no other planted one
            if (b == null || nearAnchor(kind, b.lat, b.lon, t, true) || catches(kind, b.lat, b.lon, t, until)) {
                continue;
            }
            double d = Geo.distanceKm(a.lat, a.lon, b.lat, b.lon);
            if (d < 3 || d > 45) {
                continue;
            }
            adopt(a);
            adopt(b);
            ChainPlan plan = new ChainPlan(Rule.SPREAD, t);
            String anchorId = nextId("s");
            long anchorTs = t - jitter();
            plan.add(t, breach(a, anchorId, anchorTs), p1);
            anchors.add(new AnchorMark(kind, a.lat, a.lon, anchorTs, true));
            long dueB = t + 10 * SECOND + (long) (rng.nextDouble() * 30 * SECOND);
            plan.add(dueB, breach(b, nextId("s"), dueB - jitter()), p2);
            // each breach also opens an INC-CASCADE incident: keep unrelated calls out of it
            catchZones.add(new Zone(RELATED.get(kind), a.lat, a.lon, CATCH_KM, t - 2 * MAX_JITTER_MS, until));
            catchZones.add(new Zone(RELATED.get(kind), b.lat, b.lon, CATCH_KM, t, until));
            finish(plan, anchorId, Rule.SPREAD.id + ":" + anchorId);
            return true;
        }
        return false;
    }

    /**
     * INC-CLUSTER: 5 to 7 calls of one category within 10 km of the first, on both sides of a
     * border, within 2 minutes, where no call of that category could have opened a cluster nearby.
     */
    private boolean plantCluster(long t) {
        List<CallCategory> cats = new ArrayList<>(CLUSTER_CATEGORIES);
        Collections.shuffle(cats, rng);
        for (int attempt = 0; attempt < 40; attempt++) {
            CallCategory cat = cats.get(attempt % cats.size());
            RegionShapes.BorderPair pair = randomPair();
            double[] v = pair.vertices().get(rng.nextInt(pair.vertices().size()));
            boolean flip = rng.nextBoolean();
            int p1 = Region.provinceOf(flip ? pair.cityB() : pair.cityA());
            int p2 = Region.provinceOf(flip ? pair.cityA() : pair.cityB());
            Place anchor = pointNear(rng, v[0], v[1], 1, 4, p1);
            if (anchor == null || caught(cat, anchor, t) || recentCallNear(cat, anchor, 10.5, t - 21 * MINUTE)) {
                continue;
            }
            int n = 5 + rng.nextInt(3);
            long[] offsets = sortedOffsets(n - 1, 4 * SECOND, 110 * SECOND);
            List<Place> places = new ArrayList<>();
            places.add(anchor);
            for (int i = 1; i < n && places.size() == i; i++) {
                Place p = pointNear(rng, anchor.lat(), anchor.lon(), 0.3, 8.5, i % 2 == 1 ? p2 : p1);
                if (p != null && !caught(cat, p, t + offsets[i - 1])) {
                    places.add(p);
                }
            }
            if (places.size() < n) {
                continue;
            }
            ChainPlan plan = new ChainPlan(Rule.CLUSTER, t);
            String anchorId = nextId("c");
            plan.add(t, call(anchorId, t - jitter(), anchor, cat), p1);
            for (int i = 1; i < n; i++) {
                long due = t + offsets[i - 1];
                plan.add(due, call(nextId("c"), due - jitter(), places.get(i), cat), places.get(i).province());
            }
            catchZones.add(new Zone(EnumSet.of(cat), anchor.lat(), anchor.lon(), 11, t - 2 * MAX_JITTER_MS, t + 21 * MINUTE));
            callZones.add(new Zone(EnumSet.of(cat), anchor.lat(), anchor.lon(), 9, t - 2 * MAX_JITTER_MS, plan.end));
            finish(plan, anchorId, Rule.CLUSTER.id + ":" + anchorId);
            return true;
        }
        return false;
    }

    /**
     * CYB-LINK: 3 or 4 reports from 2 or 3 provinces within a minute, linked by one fresh phone
     * number or bank account written a different way in each report.
     */
    private boolean plantLink(long t) {
        List<String> provinces = new ArrayList<>(PROVINCES);
        Collections.shuffle(provinces, rng);
        int k = 2 + rng.nextInt(2);
        int n = Math.max(k, 3 + rng.nextInt(2));
        boolean phone = rng.nextDouble() < 0.6;
        IdentifierType type = phone ? IdentifierType.PHONE : IdentifierType.BANK_ACCOUNT;
        String value = phone ? freshPhone() : freshBank();
        List<Integer> styles = new ArrayList<>(List.of(0, 1, 2, 3, 4));
        Collections.shuffle(styles, rng);
        long[] offsets = sortedOffsets(n - 1, 4 * SECOND, 60 * SECOND);
        ChainPlan plan = new ChainPlan(Rule.LINK, t);
        String anchorId = null;
        for (int i = 0; i < n; i++) {
            int province = Integer.parseInt(provinces.get(i < k ? i : rng.nextInt(k)));
            List<String[]> idents = new ArrayList<>();
            int style = styles.get(i % styles.size());
            idents.add(new String[] {type.name(), phone ? phoneSpelling(value, style) : bankSpelling(value, style)});
            if (rng.nextDouble() < 0.4) {
                idents.add(randomIdentifier());
            }
            double amount = rng.nextDouble() < 0.1 ? round2(400_000 + rng.nextDouble() * 800_000) : amount();
            long due = i == 0 ? t : t + offsets[i - 1];
            String id = nextId("f");
            anchorId = anchorId == null ? id : anchorId;
            plan.add(due, report(id, due - jitter(), randomCity(province), amount, idents), province);
        }
        finish(plan, anchorId, Rule.LINK.id + ":" + anchorId);
        return true;
    }

    /** CYB-BURST: 5 or 6 reports from one province within 40 to 130 s against one fresh payment account. */
    private boolean plantBurst(long t) {
        int province = Integer.parseInt(PROVINCES.get(rng.nextInt(PROVINCES.size())));
        String account = freshPayment();
        int n = 5 + rng.nextInt(2);
        long[] offsets = sortedOffsets(n - 1, 4 * SECOND, 40 * SECOND + (long) (rng.nextDouble() * 90 * SECOND));
        ChainPlan plan = new ChainPlan(Rule.BURST, t);
        String anchorId = null;
        for (int i = 0; i < n; i++) {
            List<String[]> idents = new ArrayList<>();
            idents.add(new String[] {IdentifierType.PAYMENT_ACCOUNT.name(), paymentSpelling(account, i == 0 ? 0 : rng.nextInt(4))});
            if (rng.nextDouble() < 0.3) {
                idents.add(new String[] {IdentifierType.PHONE.name(), freshPhone()});
            }
            long due = i == 0 ? t : t + offsets[i - 1];
            String id = nextId("f");
            anchorId = anchorId == null ? id : anchorId;
            plan.add(due, report(id, due - jitter(), randomCity(province), amount(), idents), province);
        }
        // the account is the first identifier the anchor report lists (rules-v1.md: <TYPE>-<k>)
        String alertId = Rule.BURST.id + ":" + anchorId + ":" + IdentifierType.PAYMENT_ACCOUNT.name() + "-1";
        finish(plan, anchorId, alertId);
        return true;
    }

    /**
     * Records the chain, and for ACK_RATE of them an ack from every province 5 s to 2 min after the
     * last event: chains last at most about 2 min, so every ack falls within the tightest SLA
     * (CRITICAL, 5 min) of the first alert record, which is never stamped before the anchor. The
     * others are left to escalate. So that even a short demo shows both ends of the loop, the
     * first chain is always left to escalate and the second is always confirmed.
     */
    private void finish(ChainPlan plan, String anchorId, String alertId) {
        int index = planted.size();
        boolean acked = index == 1 || (index > 1 && rng.nextDouble() < ACK_RATE);
        if (acked) {
            AckStatus[] statuses = index == 1 ? new AckStatus[] {AckStatus.CONFIRMED}
                    : new AckStatus[] {AckStatus.RECEIVED, AckStatus.VERIFYING, AckStatus.CONFIRMED, AckStatus.CONFIRMED, AckStatus.FALSE_ALARM};
            for (String province : plan.provinces) {
                long due = plan.end + 5 * SECOND + (long) (rng.nextDouble() * 115 * SECOND);
                ObjectNode n = JSON.createObjectNode();
                n.put("alertId", alertId);
                n.put("province", province);
                n.put("ts", due);
                n.put("status", statuses[rng.nextInt(statuses.length)].name());
                n.put("operator", "值班员-" + province.substring(0, 2) + String.format(Locale.ROOT, "%03d", rng.nextInt(1000)));
                enqueue(due, new GeneratedRecord(StreamKind.ACK, alertId + '@' + province + '@' + due, due,
                        Double.NaN, Double.NaN, write(n)));
            }
        }
        planted.add(new PlantedChain(plan.rule.id, anchorId, alertId, List.copyOf(plan.provinces),
                List.copyOf(plan.ids), plan.start, plan.end, acked));
    }

    // ---------------------------------------------------------------------------------------------
    // conflict checks that keep planted alert ids predictable

    /** Whether a breach of {@code kind} (only of planted INC-SPREAD anchors, if {@code plantedOnly}) within 52 km may still hold an episode open. */
    private boolean nearAnchor(SensorKind kind, double lat, double lon, long t, boolean plantedOnly) {
        for (AnchorMark a : anchors) {
            if (a.kind() == kind && (a.planted() || !plantedOnly) && a.ts() >= t - 6 * HOUR - 2 * MINUTE
                    && Geo.distanceKm(a.lat(), a.lon(), lat, lon) <= 52) {
                return true;
            }
        }
        return false;
    }

    private boolean recentCallNear(CallCategory cat, Place p, double km, long since) {
        for (CallMark c : recentCalls) {
            if (c.category() == cat && c.ts() >= since && Geo.distanceKm(c.lat(), c.lon(), p.lat(), p.lon()) <= km) {
                return true;
            }
        }
        return false;
    }

    /** Whether a call there and then would fall into the catch zone of a planted chain. */
    private boolean caught(CallCategory cat, Place p, long ts) {
        for (Zone z : catchZones) {
            if (z.covers(cat, p.lat(), p.lon(), ts)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a breach of {@code kind} there, open from {@code from} to {@code until}, could take in calls of a planted chain. */
    private boolean catches(SensorKind kind, double lat, double lon, long from, long until) {
        for (Zone z : callZones) {
            if (z.until() >= from && z.from() <= until && !Collections.disjoint(z.categories(), RELATED.get(kind))
                    && Geo.distanceKm(z.lat(), z.lon(), lat, lon) <= z.radiusKm() + CATCH_KM) {
                return true;
            }
        }
        return false;
    }

    /**
     * A sensor of {@code kind} in {@code province} within {@code km} of the point with no open
     * incident: one of the fleet if there is one, else a new one (not yet in the fleet, see {@link #adopt}).
     */
    private Sensor sensorFor(SensorKind kind, double lat, double lon, double km, int province, int across, long t) {
        List<Sensor> near = new ArrayList<>();
        for (Sensor s : fleet) {
            if (s.kind == kind && s.province() == province && s.lastBreach + 31 * MINUTE < t
                    && Geo.distanceKm(s.lat, s.lon, lat, lon) <= km) {
                near.add(s);
            }
        }
        if (!near.isEmpty()) {
            return near.get(rng.nextInt(near.size()));
        }
        Place p = pointNear(rng, lat, lon, 2, km, province);
        return p == null ? null : newSensor(rng, kind, p, across);
    }

    private void adopt(Sensor s) {
        if (!fleet.contains(s)) {
            fleet.add(s);
        }
    }

    private GeneratedRecord breach(Sensor s, String id, long ts) {
        s.lastBreach = Math.max(s.lastBreach, ts);
        double value = THRESHOLD.get(s.kind) * (1.1 + 0.5 * rng.nextDouble());
        return new GeneratedRecord(StreamKind.SENSOR, id, ts, s.lat, s.lon, write(readingNode(s, id, ts, value)));
    }

    private RegionShapes.BorderPair randomPair() {
        List<RegionShapes.BorderPair> pairs = shapes.crossBorders();
        return pairs.get(rng.nextInt(pairs.size()));
    }

    // ---------------------------------------------------------------------------------------------
    // records

    private ObjectNode readingNode(Sensor s, String id, long ts, double value) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("sensorId", s.id);
        n.put("kind", s.kind.name());
        n.put("value", Math.round(value * 1000) / 1000.0);
        n.put("unit", UNIT.get(s.kind));
        n.put("ts", ts);
        n.put("lat", s.lat);
        n.put("lon", s.lon);
        if (s.sendsCityCode) {
            n.put("cityCode", String.valueOf(s.city));
        }
        return n;
    }

    private GeneratedRecord call(String id, long ts, Place p, CallCategory cat) {
        recentCalls.add(new CallMark(cat, p.lat(), p.lon(), ts));
        return new GeneratedRecord(StreamKind.CALL, id, ts, p.lat(), p.lon(), write(callNode(id, ts, p, cat)));
    }

    private ObjectNode callNode(String id, long ts, Place p, CallCategory cat) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("ts", ts);
        n.put("lat", p.lat());
        n.put("lon", p.lon());
        if (rng.nextDouble() < 0.7) {
            n.put("cityCode", String.valueOf(p.city()));
        }
        n.put("category", cat.name());
        if (rng.nextDouble() < 0.6) {
            n.put("callerHash", String.format(Locale.ROOT, "%016x", rng.nextLong()));
        }
        if (rng.nextDouble() < 0.5) {
            n.put("text", CALL_TEXT.get(cat));
        }
        return n;
    }

    private GeneratedRecord report(String id, long ts, int city, double amount, List<String[]> idents) {
        Place p = pointInCity(rng, city);
        return new GeneratedRecord(StreamKind.FRAUD, id, ts, p.lat(), p.lon(), write(reportNode(id, ts, city, amount, idents)));
    }

    private ObjectNode reportNode(String id, long ts, int city, double amount, List<String[]> idents) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("ts", ts);
        n.put("cityCode", String.valueOf(city));
        n.put("fraudType", FraudType.values()[rng.nextInt(FraudType.values().length)].name());
        n.put("amountCny", amount);
        ArrayNode list = n.putArray("identifiers");
        for (String[] ident : idents) {
            list.addObject().put("type", ident[0]).put("value", ident[1]);
        }
        return n;
    }

    private void enqueue(long due, GeneratedRecord r) {
        queue.add(new Pending(due, seq++, r));
    }

    private String nextId(String prefix) {
        long n;
        switch (prefix) {
            case "s": n = ++readingCounter; break;
            case "c": n = ++callCounter; break;
            default: n = ++reportCounter; break;
        }
        return String.format(Locale.ROOT, "%s-%s-%06d", prefix, tag, n);
    }

    private static String write(ObjectNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // identifiers: fresh values (never named before, so no report links by accident) and spellings

    private String fresh(IdentifierType type, java.util.function.Supplier<String> make) {
        for (int i = 0; i < 1000; i++) {
            String v = make.get();
            if (usedIdentifiers.add(type.name() + ':' + Identifiers.normalise(type, v))) {
                return v;
            }
        }
        throw new IllegalStateException("no fresh " + type + " left");
    }

    private String freshPhone() {
        String[] heads = {"139", "138", "137", "150", "151", "158", "186", "188", "177", "199", "166"};
        return fresh(IdentifierType.PHONE, () -> heads[rng.nextInt(heads.length)] + digits(8));
    }

    private String freshBank() {
        String[] heads = {"6222", "6228", "6217", "6230", "6214"};
        return fresh(IdentifierType.BANK_ACCOUNT, () -> heads[rng.nextInt(heads.length)] + digits(12 + rng.nextInt(4)));
    }

    private String freshPayment() {
        String[] heads = {"alipay_", "wxpay_", "pay_"};
        return fresh(IdentifierType.PAYMENT_ACCOUNT, () -> heads[rng.nextInt(heads.length)] + digits(10));
    }

    private String[] randomIdentifier() {
        switch (rng.nextInt(8)) {
            case 0: case 1: return new String[] {"PHONE", phoneSpelling(freshPhone(), rng.nextInt(5))};
            case 2: case 3: return new String[] {"BANK_ACCOUNT", bankSpelling(freshBank(), rng.nextInt(3))};
            case 4: return new String[] {"PAYMENT_ACCOUNT", freshPayment()};
            case 5: {
                String[] words = {"invest", "loan", "shop", "kefu", "job"};
                String[] tlds = {".cn", ".com", ".top", ".xyz"};
                return new String[] {"URL", fresh(IdentifierType.URL,
                        () -> "https://" + words[rng.nextInt(words.length)] + "-" + letters(7) + tlds[rng.nextInt(tlds.length)] + "/")};
            }
            case 6: return new String[] {"IM_ACCOUNT", fresh(IdentifierType.IM_ACCOUNT, () -> "wxid_" + letters(12))};
            default: return new String[] {"DEVICE", fresh(IdentifierType.DEVICE, () -> "IMEI" + digits(15))};
        }
    }

    /** Ways victims write one mobile number: "+86 139-1234-5678", "13912345678", "139 1234 5678", "8613912345678", "(+86) 139 1234 5678". */
    static String phoneSpelling(String n, int style) {
        String a = n.substring(0, 3), b = n.substring(3, 7), c = n.substring(7);
        switch (style) {
            case 0: return "+86 " + a + "-" + b + "-" + c;
            case 1: return n;
            case 2: return a + " " + b + " " + c;
            case 3: return "86" + n;
            default: return "(+86) " + a + " " + b + " " + c;
        }
    }

    static String bankSpelling(String n, int style) {
        if (style % 3 == 0) {
            return n;
        }
        String sep = style % 3 == 1 ? " " : "-";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n.length(); i += 4) {
            sb.append(i == 0 ? "" : sep).append(n, i, Math.min(n.length(), i + 4));
        }
        return sb.toString();
    }

    static String paymentSpelling(String n, int style) {
        switch (style) {
            case 0: return n;
            case 1: return n.toUpperCase(Locale.ROOT);
            case 2: return "  " + n + " ";
            default: return Character.toUpperCase(n.charAt(0)) + n.substring(1);
        }
    }

    private String digits(int count) {
        StringBuilder sb = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            sb.append((char) ('0' + rng.nextInt(10)));
        }
        return sb.toString();
    }

    private String letters(int count) {
        String alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        StringBuilder sb = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            sb.append(alphabet.charAt(rng.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // numbers and places

    private double exponential() {
        return -Math.log(1 - rng.nextDouble()) / backgroundPerMs;
    }

    private long jitter() {
        return (long) (rng.nextDouble() * MAX_JITTER_MS);
    }

    private double amount() {
        double u = rng.nextDouble();
        return round2(u < 0.5 ? 200 + rng.nextDouble() * 4800 : u < 0.9 ? 5000 + rng.nextDouble() * 75000 : 80000 + rng.nextDouble() * 220000);
    }

    private static double round2(double x) {
        return Math.round(x * 100) / 100.0;
    }

    private long[] sortedOffsets(int n, long min, long max) {
        long[] o = new long[n];
        for (int i = 0; i < n; i++) {
            o[i] = min + (long) (rng.nextDouble() * (max - min));
        }
        java.util.Arrays.sort(o);
        // keep planted events of one chain at least a second apart, so jitter never reorders them past the anchor
        for (int i = 1; i < n; i++) {
            o[i] = Math.max(o[i], o[i - 1] + SECOND);
        }
        return o;
    }

    private int randomCity(int province) {
        List<Integer> codes = new ArrayList<>();
        for (RegionShapes.CityShape c : shapes.cities()) {
            if (c.province() == province) {
                codes.add(c.code());
            }
        }
        return codes.get(rng.nextInt(codes.size()));
    }

    private static double round6(double x) {
        return Math.round(x * 1e6) / 1e6;
    }

    private Place pointInRegion(Random r) {
        while (true) {
            double lat = round6(shapes.minLat() + r.nextDouble() * (shapes.maxLat() - shapes.minLat()));
            double lon = round6(shapes.minLon() + r.nextDouble() * (shapes.maxLon() - shapes.minLon()));
            int city = region.cityAt(lat, lon);
            if (city != 0) {
                return new Place(lat, lon, city);
            }
        }
    }

    private Place pointInCity(Random r, int code) {
        RegionShapes.CityShape c = shapes.city(code);
        for (int i = 0; i < 10_000; i++) {
            double lat = round6(c.minLat() + r.nextDouble() * (c.maxLat() - c.minLat()));
            double lon = round6(c.minLon() + r.nextDouble() * (c.maxLon() - c.minLon()));
            if (region.cityAt(lat, lon) == code) {
                return new Place(lat, lon, code);
            }
        }
        return new Place(round6(c.labelLat()), round6(c.labelLon()), code);
    }

    /** A point between dMin and dMax km of (lat, lon) that lies in {@code province}, or null when 300 tries find none. */
    private Place pointNear(Random r, double lat, double lon, double dMinKm, double dMaxKm, int province) {
        for (int i = 0; i < 300; i++) {
            double[] q = destination(lat, lon, r.nextDouble() * 360, dMinKm + r.nextDouble() * (dMaxKm - dMinKm));
            int city = region.cityAt(q[0], q[1]);
            if (city != 0 && Region.provinceOf(city) == province && Geo.distanceKm(lat, lon, q[0], q[1]) <= dMaxKm) {
                return new Place(q[0], q[1], city);
            }
        }
        return null;
    }

    /** The point at great-circle distance {@code km} and bearing from (lat, lon), rounded to 1e-6 degree. */
    public static double[] destination(double lat, double lon, double bearingDeg, double km) {
        double d = km / Geo.EARTH_RADIUS_KM;
        double b = Math.toRadians(bearingDeg);
        double p1 = Math.toRadians(lat);
        double l1 = Math.toRadians(lon);
        double p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
        double l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
        return new double[] {round6(Math.toDegrees(p2)), round6(Math.toDegrees(l2))};
    }
}
