package org.yrd.linkage.testing;

import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.FraudType;
import org.yrd.linkage.rules.PatternRule;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.yrd.linkage.model.CallCategory.FLOOD;
import static org.yrd.linkage.model.CallCategory.MISSING_PERSON;
import static org.yrd.linkage.model.SensorKind.WATER_LEVEL;
import static org.yrd.linkage.testing.Events.DEG_PER_KM;
import static org.yrd.linkage.testing.Events.HOUR;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.call;
import static org.yrd.linkage.testing.Events.fraud;
import static org.yrd.linkage.testing.Events.sensor;

/**
 * The worked patterns of {@code config/rules/examples/yrd-patterns.yaml} and a test case built
 * for each: one match, and beside it near misses (a step outside {@code within}, outside the
 * radius, one province only, a value or amount just short). Each case is a stretch of time of
 * its own, so that they can run in one input; {@link #EXPECTED} names the alerts they give.
 */
public final class PatternCases {

    private PatternCases() {}

    public static final String FLOOD_RESCUE = "PAT-FLOOD-RESCUE";
    public static final String INVESTMENT_WAVE = "PAT-INVESTMENT-WAVE";
    public static final String IMPERSONATION_MISSING = "PAT-IMPERSONATION-MISSING";

    /** The example pack: the default rules and the three patterns. */
    public static RulePack examplePack() {
        try {
            return RulePackFile.load(Project.root().resolve("config/rules/examples/yrd-patterns.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The default rules and the patterns written in {@code patternsYaml} (the items of a {@code patterns:} list). */
    public static RulePack packWith(String version, String patternsYaml) {
        try {
            String example = java.nio.file.Files.readString(Project.root().resolve("config/rules/examples/yrd-patterns.yaml"));
            String rules = example.substring(0, example.indexOf("\npatterns:") + 1).replace("version: \"1\"", "version: \"" + version + "\"");
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

    /** A water gauge in Wujiang (Suzhou, Jiangsu), a few km from Shanghai's Qingpu across the border. */
    static final double LAT = 31.00;
    static final double LON = 120.90;

    private static Event gauge(String id, double metres, long ts) {
        return sensor(id, "WL-7", WATER_LEVEL, metres, ts, LAT, LON, "320500");
    }

    /** A flood call {@code km} north of the gauge, from the city given. */
    private static Event floodCall(String id, long ts, double km, String cityCode) {
        return call(id, ts, LAT + km * DEG_PER_KM, LON, FLOOD, cityCode);
    }

    /**
     * PAT-FLOOD-RESCUE: f-s1 breaches and three flood calls follow within the hour and 5 km, two
     * from Suzhou and one from Shanghai (alert). Then, each a day apart: a third call at 60 min
     * (outside within), at 5.1 km (outside the radius), all calls from Suzhou (one province),
     * and a reading of 4.9 m (no breach of the step's value).
     */
    public static List<Event> floodRescue() {
        List<Event> e = new ArrayList<>();
        e.add(gauge("f-s1", 5.2, T0));
        e.add(floodCall("f-c1", T0 + 10 * MINUTE, 1, "320500"));
        e.add(floodCall("f-c2", T0 + 20 * MINUTE, 4.9, "310100"));
        e.add(floodCall("f-c3", T0 + 59 * MINUTE, 2, "320500"));

        long t = T0 + Events.DAY;
        e.add(gauge("f-late-s", 6.0, t));
        e.add(floodCall("f-late-1", t + 10 * MINUTE, 1, "320500"));
        e.add(floodCall("f-late-2", t + 20 * MINUTE, 1, "310100"));
        e.add(floodCall("f-late-3", t + HOUR, 1, "320500"));

        t += Events.DAY;
        e.add(gauge("f-far-s", 6.0, t));
        e.add(floodCall("f-far-1", t + 10 * MINUTE, 1, "320500"));
        e.add(floodCall("f-far-2", t + 20 * MINUTE, 1, "310100"));
        e.add(floodCall("f-far-3", t + 30 * MINUTE, 5.1, "320500"));

        t += Events.DAY;
        e.add(gauge("f-one-s", 6.0, t));
        e.add(floodCall("f-one-1", t + 10 * MINUTE, 1, "320500"));
        e.add(floodCall("f-one-2", t + 20 * MINUTE, 1, "320500"));
        e.add(floodCall("f-one-3", t + 30 * MINUTE, 1, "320500"));

        t += Events.DAY;
        e.add(gauge("f-low-s", 4.9, t));
        e.add(floodCall("f-low-1", t + 10 * MINUTE, 1, "320500"));
        e.add(floodCall("f-low-2", t + 20 * MINUTE, 1, "310100"));
        e.add(floodCall("f-low-3", t + 30 * MINUTE, 1, "320500"));
        return e;
    }

    /** An investment-fraud report naming a phone of its own, so that no two reports are linked (CYB-LINK, CYB-BURST). */
    private static Event investment(String id, long ts, String cityCode) {
        return fraud(id, ts, cityCode, FraudType.INVESTMENT, 20_000, "PHONE", String.format("139%08d", Math.floorMod(id.hashCode(), 100_000_000)));
    }

    /**
     * PAT-INVESTMENT-WAVE, from the sixth day: five investment reports from Shanghai, Jiangsu and
     * Zhejiang within 9 minutes (alert), then a wave whose fifth report comes at 10 minutes
     * (outside within), a wave from two provinces only, and five reports of which one is of
     * another fraud type.
     */
    public static List<Event> investmentWave() {
        List<Event> e = new ArrayList<>();
        long t = T0 + 5 * Events.DAY;
        String[] cities = {"310100", "320500", "330100", "320500", "310100"};
        for (int i = 0; i < 5; i++) {
            e.add(investment("w-" + (i + 1), t + i * 2 * MINUTE + (i == 4 ? MINUTE : 0), cities[i]));
        }
        t += Events.DAY;
        for (int i = 0; i < 5; i++) {
            e.add(investment("w-late-" + (i + 1), t + i * 2 * MINUTE + (i == 4 ? 2 * MINUTE : 0), cities[i]));
        }
        t += Events.DAY;
        String[] two = {"310100", "320500", "320500", "320500", "310100"};
        for (int i = 0; i < 5; i++) {
            e.add(investment("w-two-" + (i + 1), t + i * MINUTE, two[i]));
        }
        t += Events.DAY;
        for (int i = 0; i < 5; i++) {
            e.add(i == 2 ? fraud("w-other-3", t + i * MINUTE, cities[i], FraudType.ROMANCE, 20_000, "PHONE", "13912340003")
                    : investment("w-other-" + (i + 1), t + i * MINUTE, cities[i]));
        }
        return e;
    }

    /**
     * PAT-IMPERSONATION-MISSING, from the tenth day: an impersonation report of 50,000 CNY in
     * Suzhou, a missing-person call from Suzhou two hours later (alert); then a call from
     * Shanghai instead (another city), a call at 6 hours (outside within), and a report of
     * 9,999 CNY (below the amount).
     */
    public static List<Event> impersonationMissing() {
        List<Event> e = new ArrayList<>();
        long t = T0 + 10 * Events.DAY;
        e.add(fraud("m-f1", t, "320500", FraudType.IMPERSONATION, 50_000, "PHONE", "13800001111"));
        e.add(call("m-c1", t + 2 * HOUR, LAT, LON, MISSING_PERSON, "320500"));
        t += Events.DAY;
        e.add(fraud("m-city-f", t, "320500", FraudType.IMPERSONATION, 50_000, "PHONE", "13800002222"));
        e.add(call("m-city-c", t + 2 * HOUR, 31.23, 121.47, MISSING_PERSON, "310100"));
        t += Events.DAY;
        e.add(fraud("m-late-f", t, "320500", FraudType.IMPERSONATION, 50_000, "PHONE", "13800003333"));
        e.add(call("m-late-c", t + 6 * HOUR, LAT, LON, MISSING_PERSON, "320500"));
        t += Events.DAY;
        e.add(fraud("m-low-f", t, "320500", FraudType.IMPERSONATION, 9_999, "PHONE", "13800004444"));
        e.add(call("m-low-c", t + HOUR, LAT, LON, MISSING_PERSON, "320500"));
        return e;
    }

    /** Every case's events. */
    public static List<Event> all() {
        List<Event> e = new ArrayList<>(floodRescue());
        e.addAll(investmentWave());
        e.addAll(impersonationMissing());
        return e;
    }
}
