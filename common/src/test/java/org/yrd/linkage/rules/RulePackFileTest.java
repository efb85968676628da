package org.yrd.linkage.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.SensorKind;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The rule-pack file: the shipped default file is exactly {@link RulePack#defaults()}, packs
 * survive a round trip through YAML, and every kind of mistake an analyst can make is reported
 * with its line, its field, what is wrong and what to write instead.
 *
 * <p>Most error tests break one line of {@code rules/base.yaml} (a valid pack with the default
 * values) and assert the exact messages, whose line numbers refer to that file.
 */
class RulePackFileTest {

    private static final String BASE = resource("rules/base.yaml");

    // --- the shipped default pack

    @Test
    void shippedDefaultPackIsExactlyTheDefaultsInCode() throws IOException {
        assertThat(RulePackFile.load(rulesDir().resolve("yrd-default.yaml"))).isEqualTo(RulePack.defaults());
    }

    @Test
    void shippedDefaultPackNamesItsSchemaForEditors() throws IOException {
        assertThat(Files.readAllLines(rulesDir().resolve("yrd-default.yaml")).get(0))
                .isEqualTo("# yaml-language-server: $schema=rule-pack.schema.json");
    }

    @Test
    void testPackDiffersFromTheDefaultsOnlyInIdAndVersion() {
        RulePack d = RulePack.defaults();
        assertThat(RulePackFile.parse("base.yaml", BASE)).isEqualTo(new RulePack("test-pack", "7", d.hazards(),
                d.cascade(), d.spread(), d.cluster(), d.link(), d.burst(), d.escalation()));
    }

    // --- writing and reading back

    @Test
    void defaultsSurviveARoundTripThroughYaml() {
        RulePack defaults = RulePack.defaults();
        assertThat(RulePackFile.parse("defaults.yaml", RulePackFile.toYaml(defaults))).isEqualTo(defaults);
    }

    @Test
    void derivedPackBuiltFromImmutableCollectionsSurvivesARoundTrip() {
        RulePack d = RulePack.defaults();
        RulePack derived = new RulePack("backtest-7", "2025.10-b", Map.of(
                SensorKind.WATER_LEVEL, new RulePack.Hazard(-0.25, "m below the datum", Set.of()),
                SensorKind.RAINFALL, new RulePack.Hazard(47.5, "mm/h", Set.of(CallCategory.FLOOD, CallCategory.COLLAPSE)),
                SensorKind.GAS, d.hazards().get(SensorKind.GAS),
                SensorKind.SMOKE, d.hazards().get(SensorKind.SMOKE),
                SensorKind.WATER_QUALITY, d.hazards().get(SensorKind.WATER_QUALITY),
                SensorKind.AIR_QUALITY, new RulePack.Hazard(1e-3, "µg/m³ \"PM2.5\"", Set.of(CallCategory.POLLUTION)),
                SensorKind.STRUCTURAL, d.hazards().get(SensorKind.STRUCTURAL)),
                new RulePack.Cascade(false, 12.345, Duration.ofMinutes(90), 4, Severity.MEDIUM, Severity.HIGH),
                new RulePack.Spread(true, 0.8, Duration.ofSeconds(5_400 + 7), 3, Severity.HIGH),
                new RulePack.Cluster(true, Set.of(CallCategory.FIRE, CallCategory.FLOOD), 10, Duration.ofDays(1), 2, 1, Severity.LOW),
                new RulePack.Link(true, Duration.ofDays(30), 4, 0, Severity.HIGH, Severity.CRITICAL),
                new RulePack.Burst(false, Duration.ofSeconds(90), 12, Severity.CRITICAL),
                new RulePack.Escalation(true, Map.of(Severity.CRITICAL, Duration.ofSeconds(3), Severity.LOW, Duration.ofHours(36))));

        String yaml = RulePackFile.toYaml(derived);
        RulePack back = RulePackFile.parse("derived.yaml", yaml);

        assertThat(back).isEqualTo(derived);
        assertThat(back.hashCode()).isEqualTo(derived.hashCode());
        assertThat(back.hazards()).isInstanceOf(EnumMap.class);
        assertThat(yaml).contains("window: 1h30m", "window: 1h30m7s", "radius: 0.8km", "quietGap: 1m30s",
                "categories: [FIRE, FLOOD]", "sla: {CRITICAL: 3s, LOW: 1d12h}");
    }

    @Test
    void clusterCategoriesAreWrittenTheShorterWay() {
        assertThat(RulePackFile.toYaml(RulePack.defaults()))
                .contains("categories: {allExcept: [FRAUD, MISSING_PERSON, OTHER]}");
    }

    @Test
    void packThatNoFileCouldHoldIsRefusedByToYaml() {
        RulePack d = RulePack.defaults();
        RulePack zeroRadius = new RulePack(d.id(), d.version(), d.hazards(),
                new RulePack.Cascade(true, 0, Duration.ofMinutes(30), 3, Severity.HIGH, Severity.CRITICAL),
                d.spread(), d.cluster(), d.link(), d.burst(), d.escalation());
        RulePack halfSecond = new RulePack(d.id(), d.version(), d.hazards(), d.cascade(), d.spread(), d.cluster(),
                d.link(), new RulePack.Burst(true, Duration.ofMillis(1_500), 5, Severity.HIGH), d.escalation());

        assertThatThrownBy(() -> RulePackFile.toYaml(zeroRadius)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("yrd-default.yaml:15 INC-CASCADE.radius: 0km is zero; write a distance more than zero, e.g. 15km");
        assertThatThrownBy(() -> RulePackFile.toYaml(halfSecond)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CYB-BURST.quietGap: 'PT1.5S' is not a duration");
    }

    @ParameterizedTest
    @CsvSource({
            "window: 30m,   window: 1h30m,  PT1H30M",
            "window: 30m,   window: 90s,    PT1M30S",
            "window: 30m,   window: 2d6h,   PT54H",
            "window: 30m,   window: 1d1h1m1s, PT25H1M1S",
    })
    void durationsMayCombineDaysHoursMinutesAndSeconds(String from, String to, Duration expected) {
        assertThat(RulePackFile.parse("base.yaml", with(from, to)).cascade().window()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "radius: 15km,  radius: 12.5km, 12.5",
            "radius: 15km,  radius: 800m,   0.8",
            "radius: 15km,  radius: 0.5km,  0.5",
    })
    void distancesMayBeWrittenInKilometresOrMetres(String from, String to, double expectedKm) {
        assertThat(RulePackFile.parse("base.yaml", with(from, to)).cascade().radiusKm()).isEqualTo(expectedKm);
    }

    @Test
    void clusterCategoriesMayBeListedInsteadOfExcluded() {
        assertThat(RulePackFile.parse("base.yaml", with("{allExcept: [OTHER, FRAUD, MISSING_PERSON]}", "[FIRE, FLOOD]"))
                .cluster().categories()).containsExactlyInAnyOrder(CallCategory.FIRE, CallCategory.FLOOD);
    }

    @Test
    void disabledRuleKeepsItsSettings() {
        RulePack.Burst burst = RulePackFile.parse("base.yaml",
                with("  CYB-BURST:\n    enabled: true", "  CYB-BURST:\n    enabled: false")).burst();
        assertThat(burst).isEqualTo(new RulePack.Burst(false, Duration.ofHours(1), 5, Severity.HIGH));
    }

    @Test
    void eachRuleIsOnOrOffByItsOwnEnabledFlag() {
        RulePack pack = RulePackFile.parse("base.yaml",
                with("  CYB-BURST:\n    enabled: true", "  CYB-BURST:\n    enabled: false"));
        for (String rule : List.of("INC-CASCADE", "INC-SPREAD", "INC-CLUSTER", "CYB-LINK", "CYB-BURST")) {
            assertThat(pack.enabled(rule)).as(rule).isEqualTo(!rule.equals("CYB-BURST"));
            assertThat(pack.enabled(rule)).as(rule).isEqualTo(pack.structureOf(rule).get(0));
        }
        assertThatThrownBy(() -> pack.enabled("FRAUD-RING")).isInstanceOf(IllegalArgumentException.class);
    }

    // --- one test per kind of mistake

    @Test
    void misspelledKeyIsReportedWithTheLineAndASuggestion() {
        assertProblems(with("radius: 15km", "radus: 15km"),
                "base.yaml:20 INC-CASCADE.radus: unknown key; did you mean radius?");
    }

    @Test
    void unknownKeyFarFromAnyKnownOneListsTheKeysAllowedThere() {
        assertProblems(with("    minCalls: 3\n", "    minCalls: 3\n    colour: red\n"),
                "base.yaml:23 INC-CASCADE.colour: unknown key; write one of enabled, radius, window, minCalls,"
                + " severity, crossProvinceSeverity");
        assertProblems(with("id: test-pack", "id: test-pack\nrule: {}"),
                "base.yaml:4 rule: unknown key; did you mean rules?");
    }

    @Test
    void missingKeyIsReportedAtItsSectionWithTheDefaultAsExample() {
        assertProblems(with("    minCalls: 3\n", ""),
                "base.yaml:18 INC-CASCADE.minCalls: missing; add e.g. minCalls: 3");
        assertProblems(with("version: \"7\"\n", ""),
                "base.yaml:3 version: missing; add e.g. version: \"1\"");
    }

    @Test
    void missingRuleIsReportedWithHowToTurnARuleOff() {
        assertProblems(with("""
                  ESC-ACK:
                    enabled: true
                    sla:
                      CRITICAL: 5m
                      HIGH: 15m
                """, ""),
                "base.yaml:17 ESC-ACK: missing; every pack sets all six rules, add ESC-ACK: with its settings"
                + " (enabled: false turns it off)");
    }

    @Test
    void missingSensorKindIsReportedWithTheDefaultHazard() {
        assertProblems(with("  STRUCTURAL: {threshold: 1000, unit: microstrain, relatedCalls: [COLLAPSE, EXPLOSION]}\n", ""),
                "base.yaml:6 hazards.STRUCTURAL: missing; every sensor kind needs a hazard, add STRUCTURAL:"
                + " {threshold: 1000, unit: \"microstrain\", relatedCalls: [EXPLOSION, COLLAPSE]}");
    }

    @Test
    void valueOfTheWrongTypeIsReportedWithWhatToWriteInstead() {
        assertProblems(with("enabled: true\n    radius: 15km", "enabled: maybe\n    radius: 15km"),
                "base.yaml:19 INC-CASCADE.enabled: 'maybe' is not true or false; write true or false");
        assertProblems(with("window: 30m", "window: [30m]"),
                "base.yaml:21 INC-CASCADE.window: a list is not a duration; write e.g. 30m");
        assertProblems(with("""
                    sla:
                      CRITICAL: 5m
                      HIGH: 15m
                """, """
                    sla: 5m
                """),
                "base.yaml:53 ESC-ACK.sla: '5m' is not a mapping; write a mapping from severity to the time allowed"
                + " to acknowledge, e.g. {CRITICAL: 5m, HIGH: 15m}");
        assertProblems(with("[GAS_LEAK, EXPLOSION, FIRE]", "FIRE"),
                "base.yaml:12 hazards.GAS.relatedCalls: 'FIRE' is not a list; write [FIRE]");
        assertProblems(with("minCalls: 3", "minCalls: three"),
                "base.yaml:22 INC-CASCADE.minCalls: 'three' is not a number; write 3");
        assertProblems(with("minCalls: 3", "minCalls: 3.5"),
                "base.yaml:22 INC-CASCADE.minCalls: 3.5 is not a whole number; write e.g. 3");
        assertProblems(with("window: 30m", "window:"),
                "base.yaml:21 INC-CASCADE.window: no value; write e.g. 30m");
    }

    @Test
    void valuesInQuotesAreTextAndNumbersWithoutQuotesAreNot() {
        assertProblems(with("minCalls: 3", "minCalls: \"3\""),
                "base.yaml:22 INC-CASCADE.minCalls: '3' is in quotes, which makes it text; write 3 without quotes");
        assertProblems(with("enabled: true\n    radius: 15km", "enabled: \"true\"\n    radius: 15km"),
                "base.yaml:19 INC-CASCADE.enabled: 'true' is in quotes, which makes it text; write true without quotes");
        assertProblems(with("version: \"7\"", "version: 1.10"),
                "base.yaml:4 version: 1.10 is read as a number; write it in quotes, \"1.10\", so that it stays text"
                + " exactly as written");
    }

    @Test
    void zeroOrNegativeNumbersAreRejectedWhereTheyMakeNoSense() {
        assertProblems(with("minCalls: 3", "minCalls: 0"),
                "base.yaml:22 INC-CASCADE.minCalls: 0 must be at least 1; write e.g. 3");
        assertProblems(with("minReports: 5", "minReports: -5"),
                "base.yaml:49 CYB-BURST.minReports: -5 must be at least 2; write e.g. 5");
        assertProblems(with("radius: 15km", "radius: 0km"),
                "base.yaml:20 INC-CASCADE.radius: 0km is zero; write a distance more than zero, e.g. 15km");
        assertProblems(with("radius: 15km", "radius: -15km"),
                "base.yaml:20 INC-CASCADE.radius: -15km is negative; write a distance more than zero, e.g. 15km");
        assertProblems(with("window: 30m", "window: 0m"),
                "base.yaml:21 INC-CASCADE.window: 0m is zero; write a duration more than zero, e.g. 30m");
        assertProblems(with("liveFor: 7d", "liveFor: -7d"),
                "base.yaml:41 CYB-LINK.liveFor: -7d is negative; write a duration more than zero, e.g. 7d");
        assertProblems(with("criticalLossCny: 1000000", "criticalLossCny: -5"),
                "base.yaml:43 CYB-LINK.criticalLossCny: -5 is negative; write an amount of 0 or more, e.g. 1000000");
    }

    @Test
    void moreProvincesThanTheRegionHasCanNeverBeReached() {
        assertProblems(with("minProvinces: 2\n    severity: CRITICAL", "minProvinces: 5\n    severity: CRITICAL"),
                "base.yaml:29 INC-SPREAD.minProvinces: 5 can never be reached: the region has 4 provinces; write 1 to 4");
    }

    @Test
    void thresholdThatIsNotFiniteIsRejected() {
        assertProblems(with("threshold: 25\n", "threshold: .inf\n"),
                "base.yaml:10 hazards.GAS.threshold: .inf is not a finite number; write e.g. 25");
        assertProblems(with("threshold: 25\n", "threshold: .nan\n"),
                "base.yaml:10 hazards.GAS.threshold: .nan is not a finite number; write e.g. 25");
        assertProblems(with("threshold: 25\n", "threshold: 1e999\n"),
                "base.yaml:10 hazards.GAS.threshold: 1e999 is not a finite number; write e.g. 25");
    }

    @Test
    void unknownSensorKindIsReportedWithTheKindsThereAre() {
        assertProblems(with("  GAS:\n", "  METHANE:\n"),
                "base.yaml:6 hazards.GAS: missing; every sensor kind needs a hazard, add GAS: {threshold: 25,"
                + " unit: \"%LEL\", relatedCalls: [FIRE, EXPLOSION, GAS_LEAK]}",
                "base.yaml:9 hazards.METHANE: unknown sensor kind; write one of WATER_LEVEL, RAINFALL, GAS, SMOKE,"
                + " WATER_QUALITY, AIR_QUALITY, STRUCTURAL");
    }

    @Test
    void misspelledSensorKindIsReportedOnceWithASuggestion() {
        assertProblems(with("  WATER_LEVEL:", "  WATERLEVEL:"),
                "base.yaml:7 hazards.WATERLEVEL: unknown sensor kind; write one of WATER_LEVEL, RAINFALL, GAS, SMOKE,"
                + " WATER_QUALITY, AIR_QUALITY, STRUCTURAL (did you mean WATER_LEVEL?)");
    }

    @Test
    void unknownCallCategoryIsReportedWithTheCategoriesThereAre() {
        String categories = "FIRE, EXPLOSION, GAS_LEAK, FLOOD, COLLAPSE, POLLUTION, TRAFFIC_ACCIDENT, PUBLIC_DISORDER,"
                + " VIOLENCE, FRAUD, MISSING_PERSON, OTHER";
        assertProblems(with("[GAS_LEAK, EXPLOSION, FIRE]", "[GAS_LEAK, EXPLOSION, BLAZE]"),
                "base.yaml:12 hazards.GAS.relatedCalls: 'BLAZE' is not a call category; write one of " + categories);
        assertProblems(with("[GAS_LEAK, EXPLOSION, FIRE]", "[GAS_LEAKS, EXPLOSION, FIRE]"),
                "base.yaml:12 hazards.GAS.relatedCalls: 'GAS_LEAKS' is not a call category; write one of " + categories
                + " (did you mean GAS_LEAK?)");
        assertProblems(with("[GAS_LEAK, EXPLOSION, FIRE]", "[GAS_LEAK, EXPLOSION, FIRE, FIRE]"),
                "base.yaml:12 hazards.GAS.relatedCalls: FIRE is listed twice; list it once");
    }

    @Test
    void unknownSeverityIsReportedWithTheSeveritiesThereAre() {
        assertProblems(with("severity: HIGH\n    crossProvinceSeverity", "severity: SEVERE\n    crossProvinceSeverity"),
                "base.yaml:23 INC-CASCADE.severity: 'SEVERE' is not a severity; write one of CRITICAL, HIGH, MEDIUM, LOW");
        assertProblems(with("severity: HIGH\n    crossProvinceSeverity", "severity: high\n    crossProvinceSeverity"),
                "base.yaml:23 INC-CASCADE.severity: 'high' is not a severity; write one of CRITICAL, HIGH, MEDIUM, LOW"
                + " (did you mean HIGH?)");
    }

    @Test
    void durationThatDoesNotParseIsReportedWithTheWayToWriteIt() {
        assertProblems(with("window: 30m", "window: thirty minutes"),
                "base.yaml:21 INC-CASCADE.window: 'thirty minutes' is not a duration; write 30m");
        assertProblems(with("window: 30m", "window: 1.5 hours"),
                "base.yaml:21 INC-CASCADE.window: '1.5 hours' is not a duration; write 1h30m");
        assertProblems(with("window: 6h", "window: 6小时"),
                "base.yaml:28 INC-SPREAD.window: '6小时' is not a duration; write 6h");
        assertProblems(with("window: 30m", "window: 30"),
                "base.yaml:21 INC-CASCADE.window: 30 has no unit; write e.g. 30m for minutes or 30h for hours");
        assertProblems(with("window: 30m", "window: soon"),
                "base.yaml:21 INC-CASCADE.window: 'soon' is not a duration; write a number and a unit (d, h, m or s),"
                + " e.g. 30m or 1h30m");
    }

    @Test
    void distanceThatDoesNotParseIsReportedWithTheWayToWriteIt() {
        assertProblems(with("radius: 15km", "radius: 15 km"),
                "base.yaml:20 INC-CASCADE.radius: '15 km' is not a distance; write 15km");
        assertProblems(with("radius: 15km", "radius: fifteen kilometres"),
                "base.yaml:20 INC-CASCADE.radius: 'fifteen kilometres' is not a distance; write 15km");
        assertProblems(with("radius: 15km", "radius: 15"),
                "base.yaml:20 INC-CASCADE.radius: 15 has no unit; write 15km");
        assertProblems(with("radius: 15km", "radius: nearby"),
                "base.yaml:20 INC-CASCADE.radius: 'nearby' is not a distance; write a number and km or m, e.g. 15km");
    }

    @Test
    void moneyWrittenTheWayPeopleWriteItIsReportedAsAPlainNumber() {
        assertProblems(with("criticalLossCny: 1000000", "criticalLossCny: 100万"),
                "base.yaml:43 CYB-LINK.criticalLossCny: '100万' is not an amount of CNY; write 1000000");
        assertProblems(with("criticalLossCny: 1000000", "criticalLossCny: 1,000,000"),
                "base.yaml:43 CYB-LINK.criticalLossCny: '1,000,000' is not an amount of CNY; write 1000000");
    }

    @Test
    void slaForASeverityThatDoesNotExistIsReportedWithTheSeveritiesThereAre() {
        assertProblems(with("      HIGH: 15m", "      URGENT: 15m"),
                "base.yaml:55 ESC-ACK.sla.URGENT: unknown severity; write one of CRITICAL, HIGH, MEDIUM, LOW");
    }

    @Test
    void duplicateKeyIsReportedWithTheLineOfTheFirst() {
        assertProblems(with("      HIGH: 15m", "      HIGH: 15m\n      CRITICAL: 10m"),
                "base.yaml:56 ESC-ACK.sla.CRITICAL: duplicate key (first at line 54); keep only one");
        assertProblems(with("    window: 30m\n", "    window: 30m\n    window: 45m\n"),
                "base.yaml:22 INC-CASCADE.window: duplicate key (first at line 21); keep only one");
    }

    @Test
    void ruleThatIsNotOneOfTheSixIsReportedWithTheSixThereAre() {
        assertProblems(with("  INC-CASCADE:", "  INC-CASCADES:"),
                "base.yaml:18 INC-CASCADES: unknown rule; write one of INC-CASCADE, INC-SPREAD, INC-CLUSTER, CYB-LINK,"
                + " CYB-BURST, ESC-ACK (did you mean INC-CASCADE?)");
        assertProblems(BASE + "  FRAUD-RING:\n    enabled: true\n",
                "base.yaml:56 FRAUD-RING: unknown rule; write one of INC-CASCADE, INC-SPREAD, INC-CLUSTER, CYB-LINK,"
                + " CYB-BURST, ESC-ACK");
    }

    @Test
    void yamlSyntaxErrorIsReportedAtItsLine() {
        assertProblems(with("unit: \"%LEL\"", "unit: %LEL"),
                "base.yaml:11 not valid YAML: a value cannot start with %; put it in quotes: \"%LEL\"");
        assertProblems(with("    radius: 15km\n", "    radius: 15km\n\twindow: 30m\n"),
                "base.yaml:21 not valid YAML: a tab; YAML indents with spaces only, replace the tab with spaces");
        assertProblems(with("    radius: 15km\n", "    radius: 15km\n      window: 30m\n"),
                "base.yaml:21 not valid YAML: mapping values are not allowed here; a value containing ': ' needs quotes,"
                + " otherwise check the indentation");
        assertProblems(with("id: test-pack", "id: 'test-pack"),
                "base.yaml:3 not valid YAML: the quote that opens here is never closed; close it");
        assertProblems(with("[GAS_LEAK, EXPLOSION, FIRE]", "[GAS_LEAK, EXPLOSION, FIRE"),
                "base.yaml:12 not valid YAML: the list that opens here with [ is never closed; close it with ]");
        assertProblems(with("{threshold: 10, unit: \"%obs/m\", relatedCalls: [FIRE, EXPLOSION]}",
                        "{threshold: 10, unit: \"%obs/m\", relatedCalls: [FIRE, EXPLOSION]"),
                "base.yaml:13 not valid YAML: the mapping that opens here with { is never closed; close it with }");
    }

    @Test
    void emptyFileIsReported() {
        String expected = "empty.yaml:1 the file is empty; a rule pack needs id, version, hazards and rules"
                + " (start from config/rules/yrd-default.yaml)";
        assertThat(problems("empty.yaml", "")).containsExactly(expected);
        assertThat(problems("empty.yaml", "# nothing here yet\n\n")).containsExactly(expected);
    }

    @Test
    void fileThatIsNotAMappingIsReported() {
        assertThat(problems("list.yaml", "- INC-CASCADE\n- INC-SPREAD\n")).containsExactly(
                "list.yaml:1 a list at the top of the file; a rule pack is a mapping with the keys id, version,"
                + " description, hazards and rules");
    }

    @Test
    void yamlFeaturesThatHideValuesAreRejected() {
        assertProblems(with("    radius: 50km", "    radius: *cascadeRadius").replace("radius: 15km", "radius: &cascadeRadius 15km"),
                "base.yaml:27 INC-SPREAD.radius: *cascadeRadius refers to an anchor; YAML anchors and aliases are not"
                + " supported here, write the value out",
                "base.yaml:27 INC-SPREAD.radius: 'cascadeRadius' is not a distance; write a number and km or m, e.g. 50km");
        assertProblems(BASE + "---\nid: second\n",
                "base.yaml:57 a second YAML document (after ---); a rule-pack file holds one pack, remove the ---");
    }

    @Test
    void severalProblemsAreReportedAtOnceInFileOrder() {
        RuleValidationException e = catchThrowableOfType(RuleValidationException.class,
                () -> RulePackFile.parse("several-problems.yaml", resource("rules/several-problems.yaml")));

        String categories = "FIRE, EXPLOSION, GAS_LEAK, FLOOD, COLLAPSE, POLLUTION, TRAFFIC_ACCIDENT, PUBLIC_DISORDER,"
                + " VIOLENCE, FRAUD, MISSING_PERSON, OTHER";
        List<String> expected = List.of(
                "several-problems.yaml:3 version: 2 is read as a number; write it in quotes, \"2\", so that it stays"
                + " text exactly as written",
                "several-problems.yaml:4 hazards.STRUCTURAL: missing; every sensor kind needs a hazard, add STRUCTURAL:"
                + " {threshold: 1000, unit: \"microstrain\", relatedCalls: [EXPLOSION, COLLAPSE]}",
                "several-problems.yaml:6 hazards.RAINFALL.relatedCalls: 'FLOD' is not a call category; write one of "
                + categories + " (did you mean FLOOD?)",
                "several-problems.yaml:10 hazards.AIR_QUALITY.threshold: .inf is not a finite number; write e.g. 250",
                "several-problems.yaml:14 INC-CASCADE.radus: unknown key; did you mean radius?",
                "several-problems.yaml:15 INC-CASCADE.window: 'thirty minutes' is not a duration; write 30m",
                "several-problems.yaml:23 INC-SPREAD.minProvinces: 5 can never be reached: the region has 4 provinces;"
                + " write 1 to 4",
                "several-problems.yaml:37 CYB-LINK.criticalLossCny: '100万' is not an amount of CNY; write 1000000",
                "several-problems.yaml:44 CYB-BURST.severity: 'URGENT' is not a severity; write one of CRITICAL, HIGH,"
                + " MEDIUM, LOW",
                "several-problems.yaml:47 ESC-ACK.sla.SEVERE: unknown severity; write one of CRITICAL, HIGH, MEDIUM, LOW");
        assertThat(e.problems()).extracting(Problem::toString).containsExactlyElementsOf(expected);
        assertThat(e.getMessage()).isEqualTo("10 problems in several-problems.yaml" + System.lineSeparator() + "  "
                + String.join(System.lineSeparator() + "  ", expected));
    }

    @Test
    void problemCarriesFileLineFieldAndMessageSeparately() {
        Problem p = catchThrowableOfType(RuleValidationException.class,
                () -> RulePackFile.parse("yrd-default.yaml", with("window: 30m", "window: thirty minutes"))).problems().get(0);
        assertThat(p).isEqualTo(new Problem("yrd-default.yaml", 21, "INC-CASCADE.window",
                "'thirty minutes' is not a duration; write 30m"));
    }

    @Test
    void loadReportsProblemsAgainstTheFileName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("my-pack.yaml");
        Files.writeString(file, with("window: 30m", "window: thirty minutes"));
        assertThatThrownBy(() -> RulePackFile.load(file)).isInstanceOf(RuleValidationException.class)
                .hasMessageContaining("my-pack.yaml:21 INC-CASCADE.window: 'thirty minutes' is not a duration; write 30m");

        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "id: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> RulePackFile.load(latin1)).isInstanceOf(RuleValidationException.class)
                .hasMessageContaining("latin1.yaml:1 the file is not UTF-8 text; save it as UTF-8");
    }

    // --- ranges (PackLimits): every number has one, and the file, the schema and README.md agree

    @Test
    void windowOfSevenDaysIsAcceptedAndOneSecondMoreIsTooLong() {
        assertThat(RulePackFile.parse("base.yaml", with("window: 30m", "window: 7d")).cascade().window())
                .isEqualTo(Duration.ofDays(7));
        assertThat(RulePackFile.parse("base.yaml", with("window: 30m", "window: 168h")).cascade().window())
                .isEqualTo(Duration.ofDays(7));
        assertProblems(with("window: 30m", "window: 7d1s"),
                "base.yaml:21 INC-CASCADE.window: 7d1s is too long; write at most 7d, e.g. 30m");
        assertProblems(with("window: 6h", "window: 8d"),
                "base.yaml:28 INC-SPREAD.window: 8d is too long; write at most 7d, e.g. 6h");
    }

    @Test
    void identifierLivenessOfThirtyDaysIsAcceptedAndOneSecondMoreIsTooLong() {
        assertThat(RulePackFile.parse("base.yaml", with("liveFor: 7d", "liveFor: 30d")).link().liveness())
                .isEqualTo(Duration.ofDays(30));
        assertProblems(with("liveFor: 7d", "liveFor: 30d1s"),
                "base.yaml:41 CYB-LINK.liveFor: 30d1s is too long; write at most 30d, e.g. 7d");
        assertProblems(with("liveFor: 7d", "liveFor: 36500d"),
                "base.yaml:41 CYB-LINK.liveFor: 36500d is too long; write at most 30d, e.g. 7d");
    }

    @Test
    void durationTooLongForAnyClockIsReportedAsTooLongInsteadOfOverflowing() {
        for (String huge : List.of("200000000000d", "106751991167301d", "9223372036854775807d", "9223372036854775808d",
                "99999999999999999999999999999999999999d", "1d99999999999999999999h")) {
            assertProblems(with("window: 30m", "window: " + huge),
                    "base.yaml:21 INC-CASCADE.window: " + huge + " is too long; write at most 7d, e.g. 30m");
        }
        assertProblems(with("window: 30m", "window: " + "9".repeat(5_000) + "s"),
                "base.yaml:21 INC-CASCADE.window: 99999999999999999999… (5001 characters) is too long; write at most 7d,"
                + " e.g. 30m");
        assertProblems(with("quietGap: 60m", "quietGap: 10000d"),
                "base.yaml:48 CYB-BURST.quietGap: 10000d is too long; write at most 7d, e.g. 1h");
        assertProblems(with("      HIGH: 15m", "      HIGH: 1000000000000d"),
                "base.yaml:55 ESC-ACK.sla.HIGH: 1000000000000d is too long; write at most 7d, e.g. 15m");
    }

    @Test
    void durationWrittenLooselyIsSuggestedOnlyWhenItIsInRange() {
        assertProblems(with("liveFor: 7d", "liveFor: 40 days"),
                "base.yaml:41 CYB-LINK.liveFor: '40 days' is not a duration; write at most 30d, e.g. 7d");
        assertProblems(with("liveFor: 7d", "liveFor: 3 weeks"),
                "base.yaml:41 CYB-LINK.liveFor: '3 weeks' is not a duration; write 21d");
        assertProblems(with("window: 30m", "window: -0m"),
                "base.yaml:21 INC-CASCADE.window: -0m is zero; write a duration more than zero, e.g. 30m");
    }

    @Test
    void thresholdAtTheEdgeOfWhatItsSensorCanReadIsAcceptedAndBeyondItIsNot() {
        assertThat(RulePackFile.parse("base.yaml", with("threshold: 25\n", "threshold: 100\n")).hazards()
                .get(SensorKind.GAS).threshold()).isEqualTo(100.0);
        assertThat(RulePackFile.parse("base.yaml", with("threshold: 25\n", "threshold: 0.001\n")).hazards()
                .get(SensorKind.GAS).threshold()).isEqualTo(0.001);
        assertProblems(with("threshold: 25\n", "threshold: 100.001\n"),
                "base.yaml:10 hazards.GAS.threshold: 100.001 is too high: no reading would ever be a breach; write a"
                + " threshold above 0, up to 100 %LEL, e.g. 25");
        assertProblems(with("threshold: 25\n", "threshold: 0\n"),
                "base.yaml:10 hazards.GAS.threshold: 0 is too low: every reading would be a breach; write a threshold"
                + " above 0, up to 100 %LEL, e.g. 25");
        assertProblems(with("threshold: 25\n", "threshold: -25\n"),
                "base.yaml:10 hazards.GAS.threshold: -25 is too low: every reading would be a breach; write a threshold"
                + " above 0, up to 100 %LEL, e.g. 25");
    }

    @Test
    void waterLevelThresholdMayBeBelowTheWarningDatumButNotBeyondFiftyMetres() {
        assertThat(RulePackFile.parse("base.yaml", with("threshold: 5.0", "threshold: -50")).hazards()
                .get(SensorKind.WATER_LEVEL).threshold()).isEqualTo(-50.0);
        assertThat(RulePackFile.parse("base.yaml", with("threshold: 5.0", "threshold: 0")).hazards()
                .get(SensorKind.WATER_LEVEL).threshold()).isEqualTo(0.0);
        assertProblems(with("threshold: 5.0", "threshold: -50.5"),
                "base.yaml:7 hazards.WATER_LEVEL.threshold: -50.5 is too low: every reading would be a breach; write a"
                + " threshold from -50 to 50 m above the warning datum, e.g. 5");
        assertProblems(with("threshold: 5.0", "threshold: 5000"),
                "base.yaml:7 hazards.WATER_LEVEL.threshold: 5000 is too high: no reading would ever be a breach; write a"
                + " threshold from -50 to 50 m above the warning datum, e.g. 5");
    }

    @Test
    void radiusCountAndMoneyBeyondTheirRangesAreReportedWithTheRange() {
        assertProblems(with("radius: 15km", "radius: 200.001km"),
                "base.yaml:20 INC-CASCADE.radius: 200.001km is too far; write at most 200km, e.g. 15km");
        assertProblems(with("radius: 15km", "radius: 0.5m"),
                "base.yaml:20 INC-CASCADE.radius: 0.5m is less than 1m; write at least 1m, e.g. 15km");
        assertProblems(with("radius: 15km", "radius: 0." + "0".repeat(400) + "1km"),
                "base.yaml:20 INC-CASCADE.radius: 0.000000000000000000… (405 characters) is less than 1m; write at least 1m,"
                + " e.g. 15km");
        assertProblems(with("minCalls: 3", "minCalls: 10001"),
                "base.yaml:22 INC-CASCADE.minCalls: 10001 is too large; write at most 10000, e.g. 3");
        assertProblems(with("minReports: 5", "minReports: 1"),
                "base.yaml:49 CYB-BURST.minReports: 1 must be at least 2; write e.g. 5");
        assertProblems(with("criticalLossCny: 1000000", "criticalLossCny: 1000000000000.01"),
                "base.yaml:43 CYB-LINK.criticalLossCny: 1000000000000.01 is too large; write at most 1000000000000,"
                + " e.g. 1000000");
        assertThat(RulePackFile.parse("base.yaml", with("criticalLossCny: 1000000", "criticalLossCny: -0.0"))
                .link().criticalLossCny()).isEqualTo(0.0);
    }

    /** Every bound of every field: the bound itself and the value just inside are accepted, just outside is not. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("everyLimitedField")
    void everyFieldAcceptsItsBoundsAndRefusesJustBeyondThem(String field, PackLimits.Limit limit) {
        for (String inside : List.of(edge(limit, limit.min(), true), edge(limit, limit.max(), false))) {
            RulePack pack = RulePackFile.parse("base.yaml", withField(field, inside));
            assertThat(VALUES.get(field).apply(pack)).as("%s: %s", field, inside).isEqualByComparingTo(value(limit, inside));
        }
        for (String outside : List.of(beyond(limit, limit.min(), -1), beyond(limit, limit.max(), +1))) {
            RuleValidationException e = catchThrowableOfType(RuleValidationException.class,
                    () -> RulePackFile.parse("base.yaml", withField(field, outside)));
            assertThat(e).as("%s: %s is refused", field, outside).isNotNull();
            assertThat(e.problems()).as("%s: %s", field, outside).singleElement()
                    .satisfies(p -> assertThat(p.field()).isEqualTo(field));
        }
    }

    /** Extreme values in every numeric field: a pack within the ranges, or a RuleValidationException; nothing else. */
    @Test
    void extremeValuesAnywhereGiveProblemsAndNeverAnotherException() {
        List<String> extremes = List.of("9223372036854775807d", "9223372036854775808d", "-9223372036854775808s",
                "99999999999999999999999999999999999999d", "9".repeat(3_000) + "d", "200000000000d", "1d99999999999999999999h",
                "1e400", "-1e400", "1e-400", "1.0e+400", "-0", "-0.0", "0", "+0", ".nan", ".NaN", "NaN", "nan", "'NaN'",
                "-.inf", ".inf", "Infinity", "-Infinity", "0x7fffffffffffffff", "0o777", "9223372036854775807",
                "-9223372036854775808", "99999999999999999999999999", "9".repeat(2_000), "1_000", "~", "''", "[]", "{}",
                "'-'", "d", "0d0h0m0s", "1d1d", "٣٠m", "３０m", "1.5e3km", "1" + "0".repeat(30) + "km",
                "0.0000000000000000000000000000000000001km", "-0km", "-0m", "'1,000,000,000,000,000'", "1e12", "１０");
        int accepted = 0;
        for (String field : VALUES.keySet()) {
            for (String value : extremes) {
                String yaml = withField(field, value);
                RulePack pack;
                try {
                    pack = RulePackFile.parse("base.yaml", yaml);
                } catch (RuleValidationException e) {
                    assertThat(e.problems()).as("%s: %s", field, value).isNotEmpty()
                            .allSatisfy(p -> assertThat(p.message()).isNotBlank());
                    assertThat(e.problems()).extracting(Problem::line).as("%s: %s", field, value)
                            .containsOnly(lineOf(yaml, field));
                    continue;
                } catch (RuntimeException | Error e) {
                    throw new AssertionError(field + ": " + value + " threw " + e, e);
                }
                accepted++;
                for (PackLimits.Limit limit : PackLimits.ALL) {
                    for (String f : limit.fields()) {
                        if (VALUES.containsKey(f)) {
                            assertThat(limit.contains(VALUES.get(f).apply(pack))).as("%s after %s: %s", f, field, value).isTrue();
                        }
                    }
                }
            }
        }
        assertThat(accepted).as("0 and -0 as an amount or a water level, little else").isLessThan(20);
    }

    @Test
    void readmeListsEveryFieldWithItsRange() throws IOException {
        String readme = Files.readString(rulesDir().resolve("README.md"));
        for (PackLimits.Limit limit : PackLimits.ALL) {
            String fields = limit.fields().stream().map(f -> "`" + f + "`").collect(Collectors.joining(", "));
            assertThat(readme).contains("\n| " + fields + " | " + limit.range() + " |");
        }
        assertThat(PackLimits.ALL.stream().flatMap(l -> l.fields().stream()))
                .as("every number of the pack has a limit").containsAll(VALUES.keySet())
                .hasSize(VALUES.size() + 2);  // ESC-ACK.sla.MEDIUM and LOW are absent from base.yaml
    }

    @Test
    void schemaStatesTheSameRanges() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(Files.readString(rulesDir().resolve("rule-pack.schema.json")));
        for (PackLimits.Limit limit : PackLimits.ALL) {
            for (String field : limit.fields()) {
                JsonNode node = schemaOf(schema, field);
                if (limit.kind() == PackLimits.Kind.COUNT || limit.kind() == PackLimits.Kind.NUMBER) {
                    String lower = limit.minExcluded() ? "exclusiveMinimum" : "minimum";
                    assertThat(node.path(lower).decimalValue()).as(field + " " + lower).isEqualByComparingTo(limit.min());
                    assertThat(node.path("maximum").decimalValue()).as(field + " maximum").isEqualByComparingTo(limit.max());
                } else {
                    assertThat(node.path("description").asText()).as(field).contains(limit.range());
                }
            }
        }
    }

    // --- the schema for editors

    @Test
    void shippedDefaultPackValidatesAgainstTheSchema() throws IOException {
        JsonSchema schema = schema();
        assertThat(schema.validate(yamlAsJson(Files.readString(rulesDir().resolve("yrd-default.yaml"))))).isEmpty();
        assertThat(schema.validate(yamlAsJson(BASE))).isEmpty();
        assertThat(schema.validate(yamlAsJson(RulePackFile.toYaml(RulePack.defaults())))).isEmpty();
    }

    @Test
    void schemaIsAValidDraft2020Schema() throws IOException {
        JsonSchema metaSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        Set<ValidationMessage> errors = metaSchema.validate(
                Files.readString(rulesDir().resolve("rule-pack.schema.json")), InputFormat.JSON);
        assertThat(errors).isEmpty();
        assertThat(metaSchema.validate("{\"type\": 5}", InputFormat.JSON)).as("the meta-schema is really checked").isNotEmpty();
    }

    @Test
    void schemaCatchesWhatEditorsShouldUnderline() throws IOException {
        JsonSchema schema = schema();
        assertThat(schema.validate(yamlAsJson(with("radius: 15km", "radus: 15km")))).isNotEmpty();
        assertThat(schema.validate(yamlAsJson(with("window: 30m", "window: thirty minutes")))).isNotEmpty();
        assertThat(schema.validate(yamlAsJson(with("      HIGH: 15m", "      URGENT: 15m")))).isNotEmpty();
        assertThat(schema.validate(yamlAsJson(with("[GAS_LEAK, EXPLOSION, FIRE]", "[GAS_LEAKS]")))).isNotEmpty();
        assertThat(schema.validate(yamlAsJson(with("version: \"7\"", "version: 7")))).isNotEmpty();
    }

    // --- helpers

    /** How each limited field is read from a pack, and where base.yaml writes it. */
    private static final Map<String, Function<RulePack, BigDecimal>> VALUES = new LinkedHashMap<>();
    private static final Map<String, String> IN_BASE = new HashMap<>();

    static {
        field("hazards.WATER_LEVEL.threshold", "threshold: 5.0", p -> dec(p.hazards().get(SensorKind.WATER_LEVEL).threshold()));
        field("hazards.RAINFALL.threshold", "threshold: 50,", p -> dec(p.hazards().get(SensorKind.RAINFALL).threshold()));
        field("hazards.GAS.threshold", "threshold: 25\n", p -> dec(p.hazards().get(SensorKind.GAS).threshold()));
        field("hazards.SMOKE.threshold", "threshold: 10,", p -> dec(p.hazards().get(SensorKind.SMOKE).threshold()));
        field("hazards.WATER_QUALITY.threshold", "threshold: 40,", p -> dec(p.hazards().get(SensorKind.WATER_QUALITY).threshold()));
        field("hazards.AIR_QUALITY.threshold", "threshold: 250,", p -> dec(p.hazards().get(SensorKind.AIR_QUALITY).threshold()));
        field("hazards.STRUCTURAL.threshold", "threshold: 1000,", p -> dec(p.hazards().get(SensorKind.STRUCTURAL).threshold()));
        field("INC-CASCADE.radius", "radius: 15km", p -> dec(p.cascade().radiusKm()));
        field("INC-SPREAD.radius", "radius: 50km", p -> dec(p.spread().radiusKm()));
        field("INC-CLUSTER.radius", "radius: 10km", p -> dec(p.cluster().radiusKm()));
        field("INC-CASCADE.window", "window: 30m", p -> sec(p.cascade().window()));
        field("INC-SPREAD.window", "window: 6h", p -> sec(p.spread().window()));
        field("INC-CLUSTER.window", "window: 20m", p -> sec(p.cluster().window()));
        field("INC-CASCADE.minCalls", "minCalls: 3", p -> dec(p.cascade().minCalls()));
        field("INC-CLUSTER.minCalls", "minCalls: 5", p -> dec(p.cluster().minCalls()));
        field("INC-SPREAD.minProvinces", "minProvinces: 2\n    severity: CRITICAL", p -> dec(p.spread().minProvinces()));
        field("INC-CLUSTER.minProvinces", "minProvinces: 2\n    severity: HIGH", p -> dec(p.cluster().minProvinces()));
        field("CYB-LINK.minProvinces", "minProvinces: 2\n    criticalLossCny", p -> dec(p.link().minProvinces()));
        field("CYB-LINK.liveFor", "liveFor: 7d", p -> sec(p.link().liveness()));
        field("CYB-LINK.criticalLossCny", "criticalLossCny: 1000000", p -> dec(p.link().criticalLossCny()));
        field("CYB-BURST.quietGap", "quietGap: 60m", p -> sec(p.burst().quietGap()));
        field("CYB-BURST.minReports", "minReports: 5", p -> dec(p.burst().minReports()));
        field("ESC-ACK.sla.CRITICAL", "CRITICAL: 5m", p -> sec(p.escalation().sla().get(Severity.CRITICAL)));
        field("ESC-ACK.sla.HIGH", "HIGH: 15m", p -> sec(p.escalation().sla().get(Severity.HIGH)));
    }

    private static void field(String name, String inBase, Function<RulePack, BigDecimal> value) {
        VALUES.put(name, value);
        IN_BASE.put(name, inBase);
    }

    private static BigDecimal dec(double v) {
        return BigDecimal.valueOf(v);
    }

    private static BigDecimal sec(Duration d) {
        return BigDecimal.valueOf(d.getSeconds());
    }

    /** The test pack with the value of one field replaced. */
    private static String withField(String field, String value) {
        String from = IN_BASE.get(field);
        int colon = from.indexOf(": ");
        int end = from.indexOf('\n') < 0 ? (from.endsWith(",") ? from.length() - 1 : from.length()) : from.indexOf('\n');
        return with(from, from.substring(0, colon + 2) + value + from.substring(end));
    }

    /** The 1-based line of base.yaml on which a field is written. */
    private static int lineOf(String yaml, String field) {
        String from = IN_BASE.get(field);
        String key = from.substring(0, from.indexOf(": ") + 2);
        int at = BASE.indexOf(from);
        return (int) yaml.substring(0, at + key.length()).chars().filter(c -> c == '\n').count() + 1;
    }

    static Stream<Arguments> everyLimitedField() {
        return PackLimits.ALL.stream().flatMap(l -> l.fields().stream().filter(VALUES::containsKey)
                .map(f -> Arguments.of(f, l)));
    }

    /** The smallest step a file can write near a bound: a second, a metre, one, or a thousandth. */
    private static BigDecimal step(PackLimits.Limit limit) {
        return switch (limit.kind()) {
            case DURATION, COUNT -> BigDecimal.ONE;
            case DISTANCE, NUMBER -> new BigDecimal("0.001");
        };
    }

    /** A bound, or the value just inside it when the bound itself is excluded, as a file writes it. */
    private static String edge(PackLimits.Limit limit, BigDecimal bound, boolean lower) {
        BigDecimal v = lower && limit.minExcluded() ? bound.add(step(limit)) : bound;
        return written(limit, v);
    }

    /** The value one step beyond a bound (the excluded bound itself for an excluded minimum). */
    private static String beyond(PackLimits.Limit limit, BigDecimal bound, int direction) {
        BigDecimal v = direction < 0 && limit.minExcluded() ? bound
                : bound.add(step(limit).multiply(BigDecimal.valueOf(direction)));
        return written(limit, v);
    }

    private static String written(PackLimits.Limit limit, BigDecimal v) {
        return switch (limit.kind()) {
            case DURATION -> v.signum() <= 0 ? v.toPlainString() + "s" : Units.formatDuration(Duration.ofSeconds(v.longValueExact()));
            case DISTANCE -> v.stripTrailingZeros().toPlainString() + "km";
            default -> v.stripTrailingZeros().toPlainString();
        };
    }

    private static BigDecimal value(PackLimits.Limit limit, String written) {
        return switch (limit.kind()) {
            case DURATION -> sec(Units.parseDuration(written));
            case DISTANCE -> Units.parseDistanceKm(written);
            default -> new BigDecimal(written);
        };
    }

    /** The schema of a field, with the definition it refers to merged in. */
    private static JsonNode schemaOf(JsonNode schema, String field) {
        String[] parts = field.split("\\.");
        JsonNode node = field.startsWith("hazards.")
                ? schema.at("/properties/hazards/properties/" + parts[1] + "/properties/" + parts[2])
                : schema.at("/properties/rules/properties/" + String.join("/properties/", parts));
        assertThat(node.isMissingNode()).as("schema of %s", field).isFalse();
        ObjectNode merged = ((ObjectNode) node).deepCopy();
        if (node.has("$ref")) {
            JsonNode target = schema.at(node.get("$ref").asText().substring(1));
            target.fields().forEachRemaining(e -> merged.putIfAbsent(e.getKey(), e.getValue()));
        }
        return merged;
    }

    private static JsonSchema schema() throws IOException {
        JsonNode tree = new ObjectMapper().readTree(Files.readString(rulesDir().resolve("rule-pack.schema.json")));
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(tree);
    }

    private static JsonNode yamlAsJson(String yaml) throws IOException {
        return new YAMLMapper().readTree(yaml);
    }

    /** config/rules, found by walking up from the working directory (the module or the project root). */
    private static Path rulesDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("config/rules"))) {
                return dir.resolve("config/rules");
            }
        }
        throw new IllegalStateException("no config/rules above " + Path.of("").toAbsolutePath());
    }

    /** The test pack with one piece of text, which must occur exactly once, replaced. */
    private static String with(String from, String to) {
        int at = BASE.indexOf(from);
        assertThat(at).as("'%s' in base.yaml", from).isNotNegative();
        assertThat(BASE.indexOf(from, at + 1)).as("'%s' occurs once in base.yaml", from).isNegative();
        return BASE.substring(0, at) + to + BASE.substring(at + from.length());
    }

    private static void assertProblems(String yaml, String... expected) {
        assertThat(problems("base.yaml", yaml)).containsExactly(expected);
    }

    private static List<String> problems(String file, String yaml) {
        RuleValidationException e = catchThrowableOfType(RuleValidationException.class, () -> RulePackFile.parse(file, yaml));
        assertThat(e).as("a problem in:%n%s", yaml).isNotNull();
        return e.problems().stream().map(Problem::toString).toList();
    }

    private static String resource(String name) {
        try (InputStream in = RulePackFileTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
