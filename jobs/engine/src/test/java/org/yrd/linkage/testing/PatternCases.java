package org.yrd.linkage.testing;

import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.PatternRule;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.yrd.linkage.testing.Events.DAY;
import static org.yrd.linkage.testing.Events.DEG_PER_KM;
import static org.yrd.linkage.testing.Events.HOUR;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;

/**
 * The worked patterns of {@code config/rules/examples/yrd-patterns.yaml} and a test case built
 * for each: one match, and beside it near misses (a step outside {@code within}, outside the
 * radius, one province only, a value or amount just short). Each case keeps to days of its own,
 * so that all of them can run as one input; the tests state the alerts they give. Cases are
 * input records (contract JSON), so that the same case feeds an operator harness, replay files
 * and Kafka topics.
 */
public final class PatternCases {

    private PatternCases() {}

    public static final String FLOOD_RESCUE = "PAT-FLOOD-RESCUE";
    public static final String INVESTMENT_WAVE = "PAT-INVESTMENT-WAVE";
    public static final String IMPERSONATION_MISSING = "PAT-IMPERSONATION-MISSING";

    /** One input record: its stream and its JSON. */
    public record Line(StreamKind stream, String json) {
        public Event event() {
            return Events.parse(stream, json);
        }

        public long ts() {
            java.util.regex.Matcher m = TS.matcher(json);
            if (!m.find()) {
                throw new IllegalStateException("no ts in " + json);
            }
            return Long.parseLong(m.group(1));
        }

        /** The same record stamped {@code millis} later. */
        public Line shifted(long millis) {
            return new Line(stream, TS.matcher(json).replaceFirst("\"ts\":" + (ts() + millis)));
        }
    }

    private static final java.util.regex.Pattern TS = java.util.regex.Pattern.compile("\"ts\":(\\d+)");

    public static Path examplePackFile() {
        return Project.root().resolve("config/rules/examples/yrd-patterns.yaml");
    }

    /** The example pack: the default rules and the three patterns. */
    public static RulePack examplePack() {
        try {
            return RulePackFile.load(examplePackFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The default rules and the patterns written in {@code patternsYaml} (the items of a {@code patterns:} list). */
    public static RulePack packWith(String version, String patternsYaml) {
        try {
            String example = Files.readString(examplePackFile());
            String rules = example.substring(0, example.indexOf("\npatterns:") + 1)
                    .replace("version: \"1\"", "version: \"" + version + "\"");
            return RulePackFile.parse("test.yaml", rules + "patterns:\n" + patternsYaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The default rules and the one example pattern with this id. */
    public static RulePack only(String patternId) {
        RulePack p = examplePack();
        PatternRule rule = p.pattern(patternId);
        return new RulePack(p.id(), p.version(), p.hazards(), p.cascade(), p.spread(), p.cluster(), p.link(), p.burst(),
                p.escalation(), List.of(rule));
    }

    public static List<Event> events(List<Line> lines) {
        return lines.stream().map(Line::event).toList();
    }

    /** A water gauge in Wujiang (Suzhou, Jiangsu), a few km from Shanghai's Qingpu across the border. */
    static final double LAT = 31.00;
    static final double LON = 120.90;

    private static Line gauge(String id, double metres, long ts) {
        return new Line(StreamKind.SENSOR, String.format(Locale.ROOT, "{\"id\":\"%s\",\"sensorId\":\"WL-7\",\"kind\":\"WATER_LEVEL\","
                + "\"value\":%s,\"ts\":%d,\"lat\":%s,\"lon\":%s,\"cityCode\":\"320500\"}", id, metres, ts, LAT, LON));
    }

    private static Line call(String id, long ts, double lat, double lon, String category, String cityCode) {
        return new Line(StreamKind.CALL, String.format(Locale.ROOT, "{\"id\":\"%s\",\"ts\":%d,\"lat\":%s,\"lon\":%s,"
                + "\"category\":\"%s\",\"cityCode\":\"%s\"}", id, ts, lat, lon, category, cityCode));
    }

    /** A flood call {@code km} north of the gauge, from the city given. */
    private static Line floodCall(String id, long ts, double km, String cityCode) {
        return call(id, ts, LAT + km * DEG_PER_KM, LON, "FLOOD", cityCode);
    }

    /** A fraud report naming a phone of its own, so that no two reports are linked (CYB-LINK, CYB-BURST). */
    private static Line report(String id, long ts, String cityCode, String type, double amount) {
        String phone = String.format(Locale.ROOT, "139%08d", Math.floorMod(id.hashCode(), 100_000_000));
        return new Line(StreamKind.FRAUD, String.format(Locale.ROOT, "{\"id\":\"%s\",\"ts\":%d,\"cityCode\":\"%s\","
                + "\"fraudType\":\"%s\",\"amountCny\":%s,\"identifiers\":[{\"type\":\"PHONE\",\"value\":\"%s\"}]}",
                id, ts, cityCode, type, amount, phone));
    }

    /**
     * PAT-FLOOD-RESCUE: f-s1 breaches and three flood calls follow within the hour and 5 km, two
     * from Suzhou and one from Shanghai (alert). Then, each a day apart: a third call at 60 min
     * (outside within), at 5.1 km (outside the radius), all calls from Suzhou (one province),
     * and a reading of 4.9 m (short of the step's value).
     */
    public static List<Line> floodRescue() {
        List<Line> e = new ArrayList<>();
        e.add(gauge("f-s1", 5.2, T0));
        e.add(floodCall("f-c1", T0 + 10 * MINUTE, 1, "320500"));
        e.add(floodCall("f-c2", T0 + 20 * MINUTE, 4.9, "310100"));
        e.add(floodCall("f-c3", T0 + 59 * MINUTE, 2, "320500"));

        long t = T0 + DAY;
        e.add(gauge("f-late-s", 6.0, t));
        e.add(floodCall("f-late-1", t + 10 * MINUTE, 1, "320500"));
        e.add(floodCall("f-late-2", t + 20 * MINUTE, 1, "310100"));
        e.add(floodCall("f-late-3", t + HOUR, 1, "320500"));

        t += DAY;
        e.add(gauge("f-far-s", 6.0, t));
        e.add(floodCall("f-far-1", t + 10 * MINUTE, 1, "320500"));
        e.add(floodCall("f-far-2", t + 20 * MINUTE, 1, "310100"));
        e.add(floodCall("f-far-3", t + 30 * MINUTE, 5.1, "320500"));

        t += DAY;
        e.add(gauge("f-one-s", 6.0, t));
        e.add(floodCall("f-one-1", t + 10 * MINUTE, 1, "320500"));
        e.add(floodCall("f-one-2", t + 20 * MINUTE, 1, "320500"));
        e.add(floodCall("f-one-3", t + 30 * MINUTE, 1, "320500"));

        t += DAY;
        e.add(gauge("f-low-s", 4.9, t));
        e.add(floodCall("f-low-1", t + 10 * MINUTE, 1, "320500"));
        e.add(floodCall("f-low-2", t + 20 * MINUTE, 1, "310100"));
        e.add(floodCall("f-low-3", t + 30 * MINUTE, 1, "320500"));
        return e;
    }

    /**
     * PAT-INVESTMENT-WAVE, from the sixth day: five investment reports from Shanghai, Jiangsu and
     * Zhejiang within 9 minutes (alert); then a wave whose fifth report comes at 10 minutes
     * (outside within), a wave from two provinces only, and five reports of which one is of
     * another fraud type.
     */
    public static List<Line> investmentWave() {
        List<Line> e = new ArrayList<>();
        String[] three = {"310100", "320500", "330100", "320500", "310100"};
        long[] minutes = {0, 2, 4, 6, 9};
        long t = T0 + 5 * DAY;
        for (int i = 0; i < 5; i++) {
            e.add(report("w-" + (i + 1), t + minutes[i] * MINUTE, three[i], "INVESTMENT", 20_000));
        }
        t += DAY;
        long[] late = {0, 2, 4, 6, 10};
        for (int i = 0; i < 5; i++) {
            e.add(report("w-late-" + (i + 1), t + late[i] * MINUTE, three[i], "INVESTMENT", 20_000));
        }
        t += DAY;
        String[] two = {"310100", "320500", "320500", "320500", "310100"};
        for (int i = 0; i < 5; i++) {
            e.add(report("w-two-" + (i + 1), t + i * MINUTE, two[i], "INVESTMENT", 20_000));
        }
        t += DAY;
        for (int i = 0; i < 5; i++) {
            e.add(report("w-other-" + (i + 1), t + i * MINUTE, three[i], i == 2 ? "ROMANCE" : "INVESTMENT", 20_000));
        }
        return e;
    }

    /**
     * PAT-IMPERSONATION-MISSING, from the tenth day: an impersonation report of 50,000 CNY in
     * Suzhou and a missing-person call from Suzhou two hours later (alert); then a call from
     * Shanghai instead (another city), a call at 6 hours (outside within), and a report of
     * 9,999 CNY (short of the amount).
     */
    public static List<Line> impersonationMissing() {
        List<Line> e = new ArrayList<>();
        long t = T0 + 10 * DAY;
        e.add(report("m-f1", t, "320500", "IMPERSONATION", 50_000));
        e.add(call("m-c1", t + 2 * HOUR, LAT, LON, "MISSING_PERSON", "320500"));
        t += DAY;
        e.add(report("m-city-f", t, "320500", "IMPERSONATION", 50_000));
        e.add(call("m-city-c", t + 2 * HOUR, 31.23, 121.47, "MISSING_PERSON", "310100"));
        t += DAY;
        e.add(report("m-late-f", t, "320500", "IMPERSONATION", 50_000));
        e.add(call("m-late-c", t + 6 * HOUR, LAT, LON, "MISSING_PERSON", "320500"));
        t += DAY;
        e.add(report("m-low-f", t, "320500", "IMPERSONATION", 9_999));
        e.add(call("m-low-c", t + HOUR, LAT, LON, "MISSING_PERSON", "320500"));
        return e;
    }

    /** Every case's records. */
    public static List<Line> all() {
        List<Line> e = new ArrayList<>(floodRescue());
        e.addAll(investmentWave());
        e.addAll(impersonationMissing());
        return e;
    }

    /** Writes records as replay input files ({@code <stream>.jsonl}) into {@code dir}, in the order given. */
    public static void writeReplayInput(List<Line> lines, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD)) {
            StringBuilder sb = new StringBuilder();
            lines.stream().filter(l -> l.stream() == s).forEach(l -> sb.append(l.json()).append('\n'));
            Files.writeString(dir.resolve(s.baseName() + ".jsonl"), sb.toString());
        }
    }
}
