package org.yrd.linkage.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.ident.IdentifierKey;
import org.yrd.linkage.ident.Identifiers;
import org.yrd.linkage.ingest.RecordParser;
import org.yrd.linkage.ingest.Rejected;
import org.yrd.linkage.model.AlertAck;
import org.yrd.linkage.model.EmergencyCall;
import org.yrd.linkage.model.FraudReport;
import org.yrd.linkage.model.IdentifierType;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.SensorReading;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.region.Geo;
import org.yrd.linkage.region.Region;
import org.yrd.linkage.demo.ScenarioGenerator.GeneratedRecord;
import org.yrd.linkage.demo.ScenarioGenerator.PlantedChain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The demo's generator makes valid, placed input records, plants one chain per rule in rotation
 * every 8 to 12 s (of the wall clock, at any speed) with the alert id the engine will give it,
 * acknowledges about 60% of them in time, and does it all reproducibly for a seed.
 */
class ScenarioGeneratorTest {

    static final long START = 1_785_542_400_000L; // 2026-08-01T00:00:00Z
    static final long STEP = 250;
    static final long MINUTES = 12;
    static final Map<SensorKind, Double> THRESHOLD = Map.of(
            SensorKind.WATER_LEVEL, 5.0, SensorKind.RAINFALL, 50.0, SensorKind.GAS, 25.0, SensorKind.SMOKE, 10.0,
            SensorKind.WATER_QUALITY, 40.0, SensorKind.AIR_QUALITY, 250.0, SensorKind.STRUCTURAL, 1000.0);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run of 12 minutes at 40 records/s, shared by the tests that only read it. */
    static Run run;

    record Run(ScenarioGenerator generator, List<GeneratedRecord> records, List<Long> returnedAt, long end) {}

    @BeforeAll
    static void generate() {
        run = run(7, 40, START, MINUTES * 60_000, STEP);
    }

    static Run run(long seed, double rate, long start, long durationMs, long step) {
        ScenarioGenerator g = new ScenarioGenerator(seed, rate);
        List<GeneratedRecord> out = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        assertThat(g.advance(start)).isEmpty();
        for (long now = start + step; now <= start + durationMs; now += step) {
            for (GeneratedRecord r : g.advance(now)) {
                out.add(r);
                at.add(now);
            }
        }
        return new Run(g, out, at, start + durationMs);
    }

    @Test
    void everyLineParsesAndIsPlacedExceptTheDeliberatelyMalformedOnes() {
        RecordParser parser = new RecordParser(IdentifierKey.development());
        Region region = Region.get();
        int malformed = 0;
        for (GeneratedRecord r : run.records()) {
            byte[] bytes = r.json().getBytes(StandardCharsets.UTF_8);
            assertThat(r.json()).doesNotContain("\n");
            if (r.malformed()) {
                malformed++;
                try {
                    parser.parse(r.stream(), bytes, bytes.length);
                    fail("deliberately malformed record parsed: " + r.json());
                } catch (Rejected expected) {
                    // dead-lettered, as intended
                }
                continue;
            }
            Object parsed;
            try {
                parsed = parser.parse(r.stream(), bytes, bytes.length);
            } catch (Rejected e) {
                throw new AssertionError("rejected (" + e.reason() + ": " + e.detail() + "): " + r.json());
            }
            switch (r.stream()) {
                case SENSOR: {
                    SensorReading s = (SensorReading) parsed;
                    assertThat(s.id()).isEqualTo(r.id());
                    assertThat(s.ts()).isEqualTo(r.ts());
                    assertThat(region.cityAt(s.lat(), s.lon())).isNotZero();
                    if (s.cityCode() != null) {
                        assertThat(region.cityOfCode(s.cityCode())).isEqualTo(region.cityAt(s.lat(), s.lon()));
                    }
                    break;
                }
                case CALL: {
                    EmergencyCall c = (EmergencyCall) parsed;
                    assertThat(c.id()).isEqualTo(r.id());
                    assertThat(c.ts()).isEqualTo(r.ts());
                    assertThat(region.cityAt(c.lat(), c.lon())).isNotZero();
                    if (c.cityCode() != null) {
                        assertThat(region.cityOfCode(c.cityCode())).isEqualTo(region.cityAt(c.lat(), c.lon()));
                    }
                    break;
                }
                case FRAUD: {
                    FraudReport f = (FraudReport) parsed;
                    assertThat(f.id()).isEqualTo(r.id());
                    assertThat(f.ts()).isEqualTo(r.ts());
                    assertThat(region.cityOfCode(f.cityCode())).isNotZero();
                    assertThat(region.cityAt(r.lat(), r.lon())).isEqualTo(region.cityOfCode(f.cityCode()));
                    break;
                }
                case ACK: {
                    AlertAck a = (AlertAck) parsed;
                    assertThat(a.ts()).isEqualTo(r.ts());
                    assertThat(r.lat()).isNaN();
                    break;
                }
                default:
                    fail("unexpected stream " + r.stream());
            }
        }
        assertThat(run.records()).hasSizeGreaterThan(25_000);
        // about 1 in 2000 background lines
        assertThat(malformed).isBetween(3, 40);
    }

    @Test
    void malformedRecordsAreTruncatedJsonOrAWrongType() {
        RecordParser parser = new RecordParser(IdentifierKey.development());
        Set<String> reasons = new TreeSet<>();
        for (GeneratedRecord r : run(11, 200, START, 10 * 60_000, 1000).records()) {
            if (r.malformed()) {
                byte[] b = r.json().getBytes(StandardCharsets.UTF_8);
                try {
                    parser.parse(r.stream(), b, b.length);
                    fail("parsed: " + r.json());
                } catch (Rejected e) {
                    reasons.add(e.reason().name());
                }
            }
        }
        assertThat(reasons).containsExactlyInAnyOrder("MALFORMED_JSON", "SCHEMA");
    }

    @Test
    void sameSeedAndClockGiveTheSameRecordsAndADifferentSeedDoesNot() {
        Run again = run(7, 40, START, MINUTES * 60_000, STEP);
        assertThat(again.records()).isEqualTo(run.records());
        assertThat(again.generator().planted()).isEqualTo(run.generator().planted());
        Run other = run(8, 40, START, 2 * 60_000, STEP);
        assertThat(other.records().subList(0, 100)).isNotEqualTo(run.records().subList(0, 100));
    }

    @Test
    void recordsDoNotDependOnHowOftenTheClockIsAdvanced() {
        Run fine = run(3, 40, START, 3 * 60_000, 100);
        Run coarse = run(3, 40, START, 3 * 60_000, 1_500);
        assertThat(coarse.records()).isEqualTo(fine.records());
    }

    @Test
    void timestampsTrailTheClockByAtMostThreeSeconds() {
        int outOfOrder = 0;
        long maxTs = Long.MIN_VALUE;
        for (int i = 0; i < run.records().size(); i++) {
            GeneratedRecord r = run.records().get(i);
            long now = run.returnedAt().get(i);
            assertThat(r.ts()).isLessThanOrEqualTo(now);
            assertThat(r.ts()).isGreaterThanOrEqualTo(now - STEP - ScenarioGenerator.MAX_JITTER_MS);
            if (r.ts() < maxTs) {
                outOfOrder++;
            }
            maxTs = Math.max(maxTs, r.ts());
        }
        assertThat(outOfOrder).as("some records arrive mildly out of order").isPositive();
    }

    @Test
    void idsAreUnique() {
        Set<String> ids = new HashSet<>();
        for (GeneratedRecord r : run.records()) {
            assertThat(ids.add(r.stream() + ":" + r.id())).as("duplicate %s", r.id()).isTrue();
        }
        Set<String> alertIds = new HashSet<>();
        for (PlantedChain c : run.generator().planted()) {
            assertThat(alertIds.add(c.alertId())).isTrue();
        }
    }

    @Test
    void theFleetCoversEveryCityAndKind() {
        ScenarioGenerator g = run.generator();
        Region region = Region.get();
        assertThat(g.fleetSize()).isBetween(280, 400);
        Set<Integer> cities = new HashSet<>();
        Set<SensorKind> kinds = EnumSet.noneOf(SensorKind.class);
        for (Sensor s : g.fleet()) {
            assertThat(region.cityAt(s.lat, s.lon)).isEqualTo(s.city);
            cities.add(s.city);
            kinds.add(s.kind);
        }
        assertThat(cities).hasSize(41);
        assertThat(kinds).containsExactlyInAnyOrder(SensorKind.values());
        // background readings stay below the thresholds: only planted chains breach
        Set<String> plantedIds = plantedEventIds();
        for (GeneratedRecord r : run.records()) {
            if (r.stream() == StreamKind.SENSOR && !r.malformed() && !plantedIds.contains(r.id())) {
                JsonNode n = parse(r);
                assertThat(n.get("value").asDouble()).isLessThan(THRESHOLD.get(SensorKind.valueOf(n.get("kind").asText())));
            }
        }
    }

    @Test
    void chainsOfEveryRuleArePlantedInEveryMinute() {
        List<PlantedChain> planted = run.generator().planted();
        assertThat(planted).hasSizeBetween((int) (MINUTES * 60 / 12), (int) (MINUTES * 60 / 8) + 1);
        for (long m = 0; m < MINUTES; m++) {
            long from = START + m * 60_000, to = from + 60_000;
            Set<String> rules = new TreeSet<>();
            int n = 0;
            for (PlantedChain c : planted) {
                if (c.startTs() >= from && c.startTs() < to) {
                    n++;
                    rules.add(c.ruleId());
                }
            }
            assertThat(n).as("chains in minute %d", m).isBetween(4, 8);
            assertThat(rules).as("rules in minute %d", m).hasSizeGreaterThanOrEqualTo(4);
        }
        Set<String> all = new TreeSet<>();
        planted.forEach(c -> all.add(c.ruleId()));
        assertThat(all).containsExactlyInAnyOrder("INC-CASCADE", "INC-SPREAD", "INC-CLUSTER", "CYB-LINK", "CYB-BURST");
    }

    @Test
    void plantedChainsSatisfyTheirRuleAcrossProvinces() {
        Map<String, GeneratedRecord> byId = new HashMap<>();
        for (GeneratedRecord r : run.records()) {
            byId.put(r.id(), r);
        }
        Region region = Region.get();
        int checked = 0;
        for (PlantedChain c : run.generator().planted()) {
            if (c.completeTs() > run.end()) {
                continue;
            }
            checked++;
            List<JsonNode> ev = new ArrayList<>();
            List<GeneratedRecord> recs = new ArrayList<>();
            Set<String> provinces = new TreeSet<>();
            for (String id : c.eventIds()) {
                GeneratedRecord r = byId.get(id);
                assertThat(r).as("event %s of %s emitted", id, c.alertId()).isNotNull();
                assertThat(r.malformed()).isFalse();
                recs.add(r);
                JsonNode n = parse(r);
                ev.add(n);
                int city = n.has("cityCode") ? region.cityOfCode(n.get("cityCode").asText()) : region.cityAt(r.lat(), r.lon());
                provinces.add(String.valueOf(Region.provinceOf(city)));
            }
            assertThat(c.eventIds().get(0)).isEqualTo(c.anchorId());
            assertThat(List.copyOf(provinces)).isEqualTo(c.provinces());
            GeneratedRecord anchor = recs.get(0);
            for (GeneratedRecord r : recs.subList(1, recs.size())) {
                assertThat(r.ts()).as("anchor comes first in ts").isGreaterThan(anchor.ts());
            }
            assertThat(c.completeTs() - c.startTs()).isLessThanOrEqualTo(150_000);
            switch (c.ruleId()) {
                case "INC-CASCADE": {
                    assertThat(c.alertId()).isEqualTo("INC-CASCADE:" + c.anchorId());
                    assertThat(c.provinces()).hasSize(2);
                    SensorKind kind = SensorKind.valueOf(ev.get(0).get("kind").asText());
                    assertThat(kind).isIn(SensorKind.GAS, SensorKind.SMOKE);
                    assertThat(ev.get(0).get("value").asDouble()).isGreaterThanOrEqualTo(THRESHOLD.get(kind));
                    assertThat(ev).hasSizeBetween(4, 6);
                    for (int i = 1; i < ev.size(); i++) {
                        assertThat(recs.get(i).stream()).isEqualTo(StreamKind.CALL);
                        assertThat(ev.get(i).get("category").asText()).isIn(
                                kind == SensorKind.GAS ? List.of("GAS_LEAK", "EXPLOSION", "FIRE") : List.of("FIRE", "EXPLOSION"));
                        assertThat(km(anchor, recs.get(i))).isLessThanOrEqualTo(10);
                    }
                    break;
                }
                case "INC-SPREAD": {
                    assertThat(c.alertId()).isEqualTo("INC-SPREAD:" + c.anchorId());
                    assertThat(c.provinces()).hasSize(2);
                    assertThat(ev).hasSize(2);
                    assertThat(ev.get(1).get("kind")).isEqualTo(ev.get(0).get("kind"));
                    assertThat(ev.get(1).get("sensorId")).isNotEqualTo(ev.get(0).get("sensorId"));
                    for (JsonNode n : ev) {
                        assertThat(n.get("value").asDouble()).isGreaterThanOrEqualTo(THRESHOLD.get(SensorKind.valueOf(n.get("kind").asText())));
                    }
                    assertThat(km(recs.get(0), recs.get(1))).isLessThanOrEqualTo(50);
                    break;
                }
                case "INC-CLUSTER": {
                    assertThat(c.alertId()).isEqualTo("INC-CLUSTER:" + c.anchorId());
                    assertThat(c.provinces()).hasSize(2);
                    assertThat(ev).hasSizeBetween(5, 7);
                    for (int i = 0; i < ev.size(); i++) {
                        assertThat(ev.get(i).get("category")).isEqualTo(ev.get(0).get("category"));
                        assertThat(km(anchor, recs.get(i))).isLessThanOrEqualTo(10);
                        assertThat(recs.get(i).ts() - anchor.ts()).isLessThanOrEqualTo(120_000);
                    }
                    break;
                }
                case "CYB-LINK": {
                    assertThat(c.alertId()).isEqualTo("CYB-LINK:" + c.anchorId());
                    assertThat(c.provinces()).hasSizeBetween(2, 3);
                    assertThat(ev).hasSizeBetween(3, 4);
                    // one phone or bank account that every report names, spelled more than one way
                    JsonNode shared = ev.get(0).get("identifiers").get(0);
                    IdentifierType type = IdentifierType.valueOf(shared.get("type").asText());
                    assertThat(type).isIn(IdentifierType.PHONE, IdentifierType.BANK_ACCOUNT);
                    String norm = Identifiers.normalise(type, shared.get("value").asText());
                    Set<String> spellings = new HashSet<>();
                    for (JsonNode n : ev) {
                        JsonNode first = n.get("identifiers").get(0);
                        assertThat(first.get("type").asText()).isEqualTo(type.name());
                        assertThat(Identifiers.normalise(type, first.get("value").asText())).isEqualTo(norm);
                        spellings.add(first.get("value").asText());
                    }
                    assertThat(spellings).hasSizeGreaterThan(1);
                    break;
                }
                case "CYB-BURST": {
                    assertThat(c.provinces()).hasSize(1);
                    assertThat(ev).hasSizeBetween(5, 6);
                    JsonNode shared = ev.get(0).get("identifiers").get(0);
                    assertThat(shared.get("type").asText()).isEqualTo("PAYMENT_ACCOUNT");
                    String norm = Identifiers.normalise(IdentifierType.PAYMENT_ACCOUNT, shared.get("value").asText());
                    for (JsonNode n : ev) {
                        assertThat(Identifiers.normalise(IdentifierType.PAYMENT_ACCOUNT,
                                n.get("identifiers").get(0).get("value").asText())).isEqualTo(norm);
                    }
                    assertThat(c.alertId()).isEqualTo("CYB-BURST:" + c.anchorId() + ":PAYMENT_ACCOUNT-1");
                    assertThat(recs.get(recs.size() - 1).ts() - anchor.ts()).isLessThan(60 * 60_000);
                    break;
                }
                default:
                    fail("unknown rule " + c.ruleId());
            }
        }
        assertThat(checked).isGreaterThan(60);
    }

    /**
     * Replays the whole output with the anchoring semantics of rules-v1.md (INC-CASCADE incidents
     * per sensor, INC-SPREAD episodes, INC-CLUSTER clusters, in ts order): every planted anchor
     * really opens its incident, episode or cluster, so the engine's alert id is the planted one.
     */
    @Test
    void everyPlantedAnchorOpensItsOwnIncidentEpisodeOrCluster() {
        Set<String> plantedIds = plantedEventIds();
        List<GeneratedRecord> events = new ArrayList<>();
        for (GeneratedRecord r : run.records()) {
            if (!r.malformed() && (r.stream() == StreamKind.SENSOR || r.stream() == StreamKind.CALL)) {
                events.add(r);
            }
        }
        events.sort(java.util.Comparator.comparingLong(GeneratedRecord::ts)
                .thenComparing(GeneratedRecord::stream).thenComparing(GeneratedRecord::id));
        Set<String> anchors = new HashSet<>();
        Map<String, Long> lastBreachOfSensor = new HashMap<>();
        List<GeneratedRecord> episodes = new ArrayList<>();
        List<GeneratedRecord> clusters = new ArrayList<>();
        Set<String> excluded = Set.of("OTHER", "FRAUD", "MISSING_PERSON");
        for (GeneratedRecord r : events) {
            JsonNode n = parse(r);
            if (r.stream() == StreamKind.SENSOR) {
                SensorKind kind = SensorKind.valueOf(n.get("kind").asText());
                if (n.get("value").asDouble() < THRESHOLD.get(kind)) {
                    continue;
                }
                Long last = lastBreachOfSensor.put(n.get("sensorId").asText(), r.ts());
                boolean opensIncident = last == null || r.ts() > last + 30 * 60_000;
                boolean joinsEpisode = false;
                for (GeneratedRecord e : episodes) {
                    joinsEpisode |= parse(e).get("kind").equals(n.get("kind")) && r.ts() <= e.ts() + 6 * 3_600_000L && km(e, r) <= 50;
                }
                if (!joinsEpisode) {
                    episodes.add(r);
                    anchors.add("INC-SPREAD:" + r.id());
                }
                if (opensIncident) {
                    anchors.add("INC-CASCADE:" + r.id());
                }
            } else {
                String cat = n.get("category").asText();
                if (excluded.contains(cat)) {
                    continue;
                }
                boolean joins = false;
                for (GeneratedRecord c : clusters) {
                    joins |= parse(c).get("category").asText().equals(cat) && r.ts() <= c.ts() + 20 * 60_000 && km(c, r) <= 10;
                }
                if (!joins) {
                    clusters.add(r);
                    anchors.add("INC-CLUSTER:" + r.id());
                } else if (!plantedIds.contains(r.id())) {
                    // background calls keep out of planted clusters while they are open
                    for (PlantedChain p : run.generator().planted()) {
                        if (p.ruleId().equals("INC-CLUSTER")) {
                            GeneratedRecord a = byId().get(p.anchorId());
                            if (a != null && parse(a).get("category").asText().equals(cat) && r.ts() >= a.ts()
                                    && r.ts() <= a.ts() + 20 * 60_000) {
                                assertThat(km(a, r)).as("background %s in cluster %s", r.id(), p.alertId()).isGreaterThan(10);
                            }
                        }
                    }
                }
            }
        }
        int checked = 0;
        Map<String, Set<String>> related = Map.of("GAS", Set.of("GAS_LEAK", "EXPLOSION", "FIRE"), "SMOKE", Set.of("FIRE", "EXPLOSION"));
        for (PlantedChain c : run.generator().planted()) {
            if (!c.ruleId().startsWith("INC-") || c.completeTs() > run.end()) {
                continue;
            }
            assertThat(anchors).as("planted anchor of %s", c.alertId()).contains(c.alertId());
            checked++;
            // and nothing but the planted events joins it from elsewhere: its provinces are the planted ones
            GeneratedRecord a = byId().get(c.anchorId());
            JsonNode an = parse(a);
            Set<String> provinces = new TreeSet<>();
            provinces.add(province(a));
            for (GeneratedRecord r : events) {
                if (r.stream() != StreamKind.CALL || r.ts() < a.ts()) {
                    continue;
                }
                String cat = parse(r).get("category").asText();
                boolean joins = c.ruleId().equals("INC-CASCADE")
                        ? related.get(an.get("kind").asText()).contains(cat) && km(a, r) <= 15 && r.ts() <= a.ts() + 30 * 60_000
                        : c.ruleId().equals("INC-CLUSTER") && cat.equals(an.get("category").asText()) && km(a, r) <= 10
                                && r.ts() <= a.ts() + 20 * 60_000;
                if (joins) {
                    provinces.add(province(r));
                }
            }
            if (!c.ruleId().equals("INC-SPREAD")) {
                assertThat(List.copyOf(provinces)).as("provinces of %s", c.alertId()).isEqualTo(c.provinces());
            }
        }
        assertThat(checked).isGreaterThan(30);
    }

    private static String province(GeneratedRecord r) {
        Region region = Region.get();
        JsonNode n = parse(r);
        int city = n.has("cityCode") ? region.cityOfCode(n.get("cityCode").asText()) : region.cityAt(r.lat(), r.lon());
        return String.valueOf(Region.provinceOf(city));
    }

    private static Map<String, GeneratedRecord> byIdCache;

    private static Map<String, GeneratedRecord> byId() {
        if (byIdCache == null) {
            byIdCache = new HashMap<>();
            run.records().forEach(r -> byIdCache.put(r.id(), r));
        }
        return byIdCache;
    }

    @Test
    void acksNameThePlantedAlertIdsAndComeWithinTheSla() {
        Map<String, PlantedChain> byAlert = new HashMap<>();
        for (PlantedChain c : run.generator().planted()) {
            byAlert.put(c.alertId(), c);
        }
        Map<String, Set<String>> ackedBy = new HashMap<>();
        for (GeneratedRecord r : run.records()) {
            if (r.stream() != StreamKind.ACK) {
                continue;
            }
            JsonNode n = parse(r);
            PlantedChain c = byAlert.get(n.get("alertId").asText());
            assertThat(c).as("ack for a planted alert: %s", r.json()).isNotNull();
            assertThat(c.acknowledged()).isTrue();
            assertThat(c.provinces()).contains(n.get("province").asText());
            // the engine fires no earlier than the anchor; the tightest SLA is 5 minutes
            assertThat(r.ts()).isGreaterThan(c.completeTs()).isLessThan(c.startTs() + 5 * 60_000 - ScenarioGenerator.MAX_JITTER_MS);
            ackedBy.computeIfAbsent(c.alertId(), k -> new TreeSet<>()).add(n.get("province").asText());
        }
        int acked = 0, due = 0;
        for (PlantedChain c : run.generator().planted()) {
            if (c.completeTs() + 150_000 > run.end()) {
                continue;
            }
            due++;
            if (c.acknowledged()) {
                acked++;
                assertThat(ackedBy.get(c.alertId())).as("acks of %s", c.alertId()).containsExactlyElementsOf(c.provinces());
            } else {
                assertThat(ackedBy).doesNotContainKey(c.alertId());
            }
        }
        assertThat((double) acked / due).isBetween(0.4, 0.8);
    }

    @Test
    void phoneAndBankSpellingsNormaliseToTheSameIdentifier() {
        for (int style = 0; style < 5; style++) {
            assertThat(Identifiers.normalise(IdentifierType.PHONE, ScenarioGenerator.phoneSpelling("13912345678", style)))
                    .isEqualTo("13912345678");
            assertThat(Identifiers.normalise(IdentifierType.BANK_ACCOUNT, ScenarioGenerator.bankSpelling("6222021234567890123", style)))
                    .isEqualTo("6222021234567890123");
            assertThat(Identifiers.normalise(IdentifierType.PAYMENT_ACCOUNT, ScenarioGenerator.paymentSpelling("alipay_1234567890", style)))
                    .isEqualTo("alipay_1234567890");
        }
        assertThat(ScenarioGenerator.phoneSpelling("13912345678", 0)).isEqualTo("+86 139-1234-5678");
    }

    @Test
    void aFasterScenarioKeepsItsRatesPerWallClockSecondAndShowsAnEscalationAndAConfirmationFirst() {
        // two minutes of wall clock at 20 times the speed (40 scenario minutes), advanced every 250 ms of wall clock
        double speed = 20;
        ScenarioGenerator g = new ScenarioGenerator(3, 40, speed);
        List<GeneratedRecord> records = new ArrayList<>();
        g.advance(START);
        for (long wall = 250; wall <= 120_000; wall += 250) {
            records.addAll(g.advance(START + (long) (wall * speed)));
        }
        Set<String> planted = new HashSet<>();
        g.planted().forEach(c -> planted.addAll(c.eventIds()));
        long background = records.stream().filter(r -> r.stream() != StreamKind.ACK && !planted.contains(r.id())).count();
        assertThat(background).as("40 a second for 120 s of wall clock").isBetween(4_000L, 5_600L);
        assertThat(g.planted()).as("one every 8 to 12 s of wall clock").hasSizeBetween(10, 15);
        PlantedChain first = g.planted().get(0);
        PlantedChain second = g.planted().get(1);
        assertThat(first.startTs()).isEqualTo(START + (long) (3_000 * speed));
        assertThat(first.acknowledged()).as("left to escalate").isFalse();
        assertThat(second.acknowledged()).isTrue();
        assertThat(records).filteredOn(r -> r.stream() == StreamKind.ACK && parse(r).get("alertId").asText().equals(second.alertId()))
                .extracting(r -> parse(r).get("status").asText()).hasSize(second.provinces().size()).containsOnly("CONFIRMED");
        // each answer goes to the topic of the province that gives it
        assertThat(records).filteredOn(r -> r.stream() == StreamKind.ACK)
                .allSatisfy(r -> assertThat(r.topic(new Topics("yrd."))).isEqualTo("yrd.alert-acks." + parse(r).get("province").asText()));
    }

    @Test
    void aClockThatDoesNotMoveForwardGivesNothing() {
        ScenarioGenerator g = new ScenarioGenerator(1, 100);
        assertThat(g.advance(START)).isEmpty();
        assertThat(g.advance(START + 10_000)).isNotEmpty();
        assertThat(g.advance(START + 10_000)).isEmpty();
        assertThat(g.advance(START + 5_000)).isEmpty();
    }

    private static Set<String> plantedEventIds() {
        Set<String> ids = new HashSet<>();
        run.generator().planted().forEach(c -> ids.addAll(c.eventIds()));
        return ids;
    }

    private static double km(GeneratedRecord a, GeneratedRecord b) {
        return Geo.distanceKm(a.lat(), a.lon(), b.lat(), b.lon());
    }

    private static final Map<String, JsonNode> PARSED = new HashMap<>();

    private static JsonNode parse(GeneratedRecord r) {
        return PARSED.computeIfAbsent(r.stream() + ":" + r.id(), k -> {
            try {
                return JSON.readTree(r.json());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }
}
