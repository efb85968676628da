package org.yrd.linkage.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.FraudType;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.StreamKind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The {@code patterns:} section of a rule pack: the worked examples read as the patterns they
 * describe and survive a round trip, a pack without the section has none, and every mistake an
 * analyst can make in a pattern is reported like the rest of the file, with its line, the
 * pattern and step it is in, and what to write instead.
 */
class PatternRulesFileTest {

    private static final Path EXAMPLES = rulesDir().resolve("examples/yrd-patterns.yaml");

    private static String example() {
        try {
            return Files.readString(EXAMPLES);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The example pack with one piece of text, which must occur exactly once, replaced. */
    private static String with(String from, String to) {
        String yaml = example();
        int at = yaml.indexOf(from);
        assertThat(at).as("'%s' in the example pack", from).isNotNegative();
        assertThat(yaml.indexOf(from, at + 1)).as("'%s' occurs once", from).isNegative();
        return yaml.substring(0, at) + to + yaml.substring(at + from.length());
    }

    private static int lineOf(String yaml, String text) {
        return (int) yaml.substring(0, yaml.indexOf(text)).chars().filter(c -> c == '\n').count() + 1;
    }

    private static void assertProblem(String yaml, String lineText, String expected) {
        RuleValidationException e = catchThrowableOfType(RuleValidationException.class,
                () -> RulePackFile.parse("p.yaml", yaml));
        assertThat(e).as("refused").isNotNull();
        assertThat(e.problems()).extracting(Problem::toString)
                .containsExactly("p.yaml:" + lineOf(yaml, lineText) + " " + expected);
    }

    // --- the worked examples

    @Test
    void floodExampleReadsAsTheRuleItDescribes() throws IOException {
        PatternRule flood = RulePackFile.load(EXAMPLES).pattern("PAT-FLOOD-RESCUE");
        assertThat(flood.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(flood.key()).isEqualTo(new PatternRule.Key(PatternRule.KeyKind.GRID, 10));
        assertThat(flood.within()).isEqualTo(Duration.ofHours(1));
        assertThat(flood.minProvinces()).isEqualTo(2);
        assertThat(flood.afterMatch()).isEqualTo(PatternRule.AfterMatch.SKIP_PAST_LAST_EVENT);
        assertThat(flood.alertKind()).isEqualTo(AlertKind.INCIDENT_CHAIN);
        assertThat(flood.steps()).containsExactly(
                new PatternRule.Step("breach", PatternRule.Contiguity.BEGIN, StreamKind.SENSOR,
                        new PatternRule.Where(Set.of(SensorKind.WATER_LEVEL), new PatternRule.Range(5.0, null), Set.of(),
                                Set.of(), null, Set.of(), Set.of()), null, 1, false),
                new PatternRule.Step("calls", PatternRule.Contiguity.FOLLOWED_BY, StreamKind.CALL,
                        new PatternRule.Where(Set.of(), null, Set.of(CallCategory.FLOOD), Set.of(), null, Set.of(), Set.of()),
                        new PatternRule.Near("breach", 5), 3, true));
    }

    @Test
    void examplePackSurvivesARoundTripAndKeepsEveryPatternsVersion() throws IOException {
        RulePack pack = RulePackFile.load(EXAMPLES);
        RulePack back = RulePackFile.parse("back.yaml", RulePackFile.toYaml(pack));
        assertThat(back).isEqualTo(pack);
        assertThat(back.patterns()).extracting(PatternRule::version)
                .containsExactlyElementsOf(pack.patterns().stream().map(PatternRule::version).toList());
        assertThat(pack.patterns()).extracting(PatternRule::id)
                .containsExactly("PAT-FLOOD-RESCUE", "PAT-INVESTMENT-WAVE", "PAT-IMPERSONATION-MISSING");
        assertThat(pack.pattern("PAT-INVESTMENT-WAVE").alertKind()).isEqualTo(AlertKind.CYBER_CHAIN);
        assertThat(pack.pattern("PAT-IMPERSONATION-MISSING").steps().get(0).where().fraudTypes())
                .containsExactly(FraudType.IMPERSONATION);
    }

    @Test
    void packWithoutPatternsHasNoneAndTheDefaultsAreUnchanged() throws IOException {
        assertThat(RulePackFile.load(rulesDir().resolve("yrd-default.yaml")).patterns()).isEmpty();
        assertThat(RulePack.defaults().patterns()).isEmpty();
    }

    @Test
    void aChangedStepMakesANewVersionAndAChangedDescriptionToo() {
        RulePack pack = RulePackFile.parse("p.yaml", example());
        RulePack radius = RulePackFile.parse("p.yaml", with("near: {step: breach, within: 5km}", "near: {step: breach, within: 4km}"));
        assertThat(radius.pattern("PAT-FLOOD-RESCUE").version()).isNotEqualTo(pack.pattern("PAT-FLOOD-RESCUE").version());
        assertThat(radius.pattern("PAT-INVESTMENT-WAVE").version()).isEqualTo(pack.pattern("PAT-INVESTMENT-WAVE").version());
    }

    @Test
    void ingestionKeepsWhatAPatternStepAsksForBelowTheRulesThresholdsAndCategories() {
        RulePack pack = RulePackFile.parse("p.yaml", with("value: {atLeast: 5.0}", "value: {atLeast: 3.5}"));
        assertThat(pack.isBreach(SensorKind.WATER_LEVEL, 4.0)).isFalse();
        assertThat(pack.usesReading(SensorKind.WATER_LEVEL, 4.0)).isTrue();
        assertThat(pack.usesReading(SensorKind.WATER_LEVEL, 3.4)).isFalse();
        assertThat(RulePack.defaults().usesCall(CallCategory.MISSING_PERSON)).isFalse();
        assertThat(pack.usesCall(CallCategory.MISSING_PERSON)).isTrue();
    }

    // --- mistakes, each reported where it is

    @Test
    void misspeltKeysOfAPatternAndAStepAreReportedWithASuggestion() {
        assertProblem(with("    within: 10m\n", "    withn: 10m\n"), "withn:",
                "patterns.PAT-INVESTMENT-WAVE.withn: unknown key; did you mean within?");
        assertProblem(with("        near: {step: breach", "        neer: {step: breach"), "neer:",
                "patterns.PAT-FLOOD-RESCUE.steps.calls.neer: unknown key; did you mean near?");
        assertProblem(with("where: {category: FLOOD}", "where: {category: FLOD}"), "FLOD",
                "patterns.PAT-FLOOD-RESCUE.steps.calls.where.category: 'FLOD' is not a call category; write one of FIRE, "
                + "EXPLOSION, GAS_LEAK, FLOOD, COLLAPSE, POLLUTION, TRAFFIC_ACCIDENT, PUBLIC_DISORDER, VIOLENCE, FRAUD, "
                + "MISSING_PERSON, OTHER (did you mean FLOOD?)");
    }

    @Test
    void aConditionOfAnotherStreamIsAnUnknownKeyOfThatStep() {
        assertProblem(with("where: {category: FLOOD}", "where: {kind: GAS}"), "where: {kind: GAS}",
                "patterns.PAT-FLOOD-RESCUE.steps.calls.where.kind: unknown key; write one of category, city, province");
    }

    @Test
    void stepsMustBeginWithBeginAndReferToEarlierSteps() {
        assertProblem(with("      - begin: breach\n", "      - followedBy: breach\n"), "followedBy: breach",
                "patterns.PAT-FLOOD-RESCUE.steps.breach: the first step begins the pattern; write begin: breach");
        assertProblem(with("near: {step: breach,", "near: {step: breech,"), "breech",
                "patterns.PAT-FLOOD-RESCUE.steps.calls.near.step: 'breech' is not an earlier step; write one of breach"
                + " (did you mean breach?)");
    }

    @Test
    void keyMistakesAreReportedWithWhatToWrite() {
        assertProblem(with("key: grid(10km)", "key: grid(10 km)"), "grid(10 km)",
                "patterns.PAT-FLOOD-RESCUE.key: '10 km' is not a distance; write 10km");
        assertProblem(with("key: grid(10km)", "key: grid(300km)"), "grid(300km)",
                "patterns.PAT-FLOOD-RESCUE.key: 300km is too far; write at most 200km, e.g. 5km");
        assertProblem(with("key: city", "key: town"), "key: town",
                "patterns.PAT-IMPERSONATION-MISSING.key: 'town' is not a key; write grid(5km), identifier, city or none");
    }

    @Test
    void keysThatCannotHoldTheStepsOrTheProvincesAreRefused() {
        assertProblem(with("key: none", "key: grid(5km)"), "stream: FRAUD\n        where: {fraudType: INVESTMENT}",
                "patterns.PAT-INVESTMENT-WAVE.steps.reports.stream: fraud reports have no position, so key: grid(...) cannot"
                + " place them; key the pattern by city or none");
        assertProblem(with("key: city", "key: identifier"), "stream: CALL\n        where: {category: MISSING_PERSON}",
                "patterns.PAT-IMPERSONATION-MISSING.steps.missing.stream: CALL events name no identifier; with key: identifier"
                + " every step is about FRAUD reports (or key the pattern by city, grid(...) or none)");
        assertProblem(with("key: none", "key: city"), "provinces: {atLeast: 3}",
                "patterns.PAT-INVESTMENT-WAVE.provinces: a city lies in one province, so key: city never spans 3; key the"
                + " pattern by grid(...) or none, or drop provinces");
    }

    @Test
    void valuesOutsideTheirRangesAreRefused() {
        assertProblem(with("value: {atLeast: 5.0}", "value: {atLeast: 500}"), "atLeast: 500",
                "patterns.PAT-FLOOD-RESCUE.steps.breach.where.value.atLeast: 500 is beyond what a WATER_LEVEL sensor reads;"
                + " write a value from -50 to 50 m above the warning datum");
        assertProblem(with("times: {atLeast: 5}", "times: {atLeast: 0}"), "atLeast: 0",
                "patterns.PAT-INVESTMENT-WAVE.steps.reports.times.atLeast: 0 must be at least 1; write e.g. 3");
        assertProblem(with("provinces: {atLeast: 3}", "provinces: {atLeast: 5}"), "provinces: {atLeast: 5}",
                "patterns.PAT-INVESTMENT-WAVE.provinces.atLeast: 5 can never be reached: the region has 4 provinces; write 1 to 4");
        assertProblem(with("within: 6h", "within: 8d"), "within: 8d",
                "patterns.PAT-IMPERSONATION-MISSING.within: 8d is too long; write at most 7d, e.g. 1h");
        assertProblem(with("amountCny: {atLeast: 10000}", "amountCny: {atLeast: -1}"), "atLeast: -1",
                "patterns.PAT-IMPERSONATION-MISSING.steps.report.where.amountCny.atLeast: -1 is negative; write an amount of"
                + " 0 or more, e.g. 10000");
    }

    @Test
    void idsMustBeOwnAndWrittenInCapitals() {
        assertProblem(with("id: PAT-INVESTMENT-WAVE", "id: PAT-FLOOD-RESCUE"), "id: PAT-FLOOD-RESCUE\n    description: 5",
                "patterns.PAT-FLOOD-RESCUE: a second pattern with this id; every pattern needs its own id");
        assertProblem(with("id: PAT-INVESTMENT-WAVE", "id: pat investment wave"), "pat investment wave",
                "patterns.id: 'pat investment wave' is not a pattern id; write capitals, digits and dashes, at most 40"
                + " characters, e.g. PAT-INVESTMENT-WAVE");
        assertProblem(with("id: PAT-INVESTMENT-WAVE", "id: CYB-BURST"), "id: CYB-BURST",
                "patterns.CYB-BURST: CYB-BURST is one of the six rules; give the pattern its own id, e.g. PAT-CYB-BURST");
    }

    @Test
    void aStepThatMustNotHappenHasNoCountAndTheSummaryNamesOnlyPlaceholders() {
        assertProblem(with("      - followedBy: missing\n", "      - notFollowedBy: missing\n        times: 2\n"), "times: 2",
                "patterns.PAT-IMPERSONATION-MISSING.steps.missing.times: a step that must not happen has no count; remove times");
        assertProblem(with("{calls}起洪涝", "{call}起洪涝"), "{call}起洪涝",
                "patterns.PAT-FLOOD-RESCUE.summary: {call} is not a placeholder; write one of {places}, {events}, {sensors},"
                + " {calls}, {reports}, {provinces}, {cities}, {loss}, {subject} (did you mean calls?)");
    }

    /** Every line of the patterns section deleted, or its value replaced by junk: problems, never another exception. */
    @Test
    void anyLineOfThePatternsBrokenGivesProblemsAndNeverAnotherException() {
        String yaml = example();
        int start = yaml.indexOf("\npatterns:");
        List<String> lines = List.of(yaml.substring(start + 1).split("\n", -1));
        String head = yaml.substring(0, start + 1);
        for (int i = 0; i < lines.size(); i++) {
            for (String junk : java.util.Arrays.asList(null, "", "~", "[]", "{}", "-1", "x", "1e400", "grid()", "0s")) {
                List<String> changed = new java.util.ArrayList<>(lines);
                String line = changed.get(i);
                int colon = line.indexOf(": ");
                if (junk == null) {
                    changed.remove(i);
                } else if (colon > 0) {
                    changed.set(i, line.substring(0, colon + 2) + junk);
                } else {
                    continue;
                }
                String broken = head + String.join("\n", changed);
                try {
                    RulePackFile.parse("p.yaml", broken);
                } catch (RuleValidationException e) {
                    assertThat(e.problems()).allSatisfy(p -> assertThat(p.message()).isNotBlank());
                } catch (RuntimeException e) {
                    throw new AssertionError("line " + (i + 1) + " as '" + junk + "' threw " + e, e);
                }
            }
        }
    }

    // --- documentation

    @Test
    void examplePackValidatesAgainstTheSchemaAndTheSchemaCatchesAMisspeltStep() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(Files.readString(rulesDir().resolve("rule-pack.schema.json")));
        var s = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
        assertThat(s.validate(new YAMLMapper().readTree(example()))).isEmpty();
        assertThat(s.validate(new YAMLMapper().readTree(with("followedBy: calls", "folowedBy: calls")))).isNotEmpty();
        assertThat(s.validate(new YAMLMapper().readTree(with("key: city", "key: town")))).isNotEmpty();
    }

    @Test
    void readmeListsEveryPatternFieldWithItsRange() throws IOException {
        String readme = Files.readString(rulesDir().resolve("README.md"));
        for (PackLimits.Limit limit : PackLimits.PATTERNS) {
            String fields = limit.fields().stream().map(f -> "`" + f + "`").collect(Collectors.joining(", "));
            assertThat(readme).contains("\n| " + fields + " | " + limit.range() + " |");
        }
    }

    private static Path rulesDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("config/rules"))) {
                return dir.resolve("config/rules");
            }
        }
        throw new IllegalStateException("no config/rules above " + Path.of("").toAbsolutePath());
    }
}
