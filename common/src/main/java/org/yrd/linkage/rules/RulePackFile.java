package org.yrd.linkage.rules;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.YamlTree.Entry;
import org.yrd.linkage.rules.YamlTree.Mapping;
import org.yrd.linkage.rules.YamlTree.Node;
import org.yrd.linkage.rules.YamlTree.Scalar;
import org.yrd.linkage.rules.YamlTree.ScalarKind;
import org.yrd.linkage.rules.YamlTree.Sequence;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The rule-pack file: the YAML in which analysts tune the detection rules
 * ({@code config/rules/yrd-default.yaml} is the default pack, {@code config/rules/rule-pack.schema.json}
 * its schema for editors). {@link #parse} turns a file into a {@link RulePack} or rejects it with
 * every problem found, each pointing at a line and saying what to write instead; {@link #toYaml}
 * writes a pack back, so that a backtest can derive a modified pack and keep it as a file.
 *
 * <p>The format, in analysts' words: durations {@code 30m}, {@code 6h}, {@code 7d}, {@code 1h30m},
 * {@code 90s}; distances {@code 15km} or {@code 800m}; money as a plain number of CNY. Every
 * number must lie in its range of {@link PackLimits}.
 */
public final class RulePackFile {

    /** The six rules of rules-v1.md; a pack sets every one of them. */
    private static final List<String> RULES =
            List.of("INC-CASCADE", "INC-SPREAD", "INC-CLUSTER", "CYB-LINK", "CYB-BURST", "ESC-ACK");

    private static final RulePack DEFAULTS = RulePack.defaults();

    /** How a pattern's step says how it follows the one before, in the order of {@link PatternRule.Contiguity}. */
    private static final List<String> CONTIGUITY_KEYS =
            List.of("begin", "next", "followedBy", "followedByAny", "notNext", "notFollowedBy");

    /** How a pattern writes its after-match strategy, in the order of {@link PatternRule.AfterMatch}. */
    private static final List<String> AFTER_MATCH = List.of("skipPastLastEvent", "noSkip");

    /** The dotted path of a key: rules are named by their id alone ({@code INC-CASCADE.window}). */
    static String path(String parent, String key) {
        return parent.isEmpty() || parent.equals("rules") ? key : parent + "." + key;
    }

    private RulePackFile() {}

    /** Reads a rule-pack file (UTF-8); problems are reported against its file name. */
    public static RulePack load(Path file) throws IOException {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new RuleValidationException(List.of(new Problem(name, 1, "",
                    "the file is not UTF-8 text; save it as UTF-8")));
        }
        return parse(name, text);
    }

    /**
     * The pack in {@code yamlText}.
     *
     * @param fileName how problems name the file, e.g. {@code yrd-default.yaml}
     * @throws RuleValidationException with every problem found, in file order
     */
    public static RulePack parse(String fileName, String yamlText) {
        List<Problem> problems = new ArrayList<>();
        String text = yamlText.startsWith("\uFEFF") ? yamlText.substring(1) : yamlText;
        Node root;
        try {
            root = YamlTree.read(text, c -> problems.add(new Problem(fileName, c.line(), c.field(), c.message())));
        } catch (YamlTree.SyntaxError e) {
            problems.add(new Problem(fileName, e.line, "", e.getMessage()));
            throw rejected(problems);
        }
        RulePack pack = new Reader(fileName, problems).pack(root);
        if (!problems.isEmpty()) {
            throw rejected(problems);
        }
        return pack;
    }

    private static RuleValidationException rejected(List<Problem> problems) {
        List<Problem> inFileOrder = new ArrayList<>(problems);
        inFileOrder.sort(Comparator.comparingInt(Problem::line));
        return new RuleValidationException(inFileOrder);
    }

    /**
     * The pack as a rule-pack file that {@link #parse} reads back as an equal pack.
     *
     * @throws IllegalArgumentException when the pack is not one a file may hold (a value outside its
     *                                  range of {@link PackLimits}, a sensor kind without a hazard, a
     *                                  duration of a fraction of a second, ...)
     */
    public static String toYaml(RulePack pack) {
        Objects.requireNonNull(pack, "pack");
        String yaml = Writer.write(pack);
        String name = pack.id() + ".yaml";
        RulePack back;
        try {
            back = parse(name, yaml);
        } catch (RuleValidationException e) {
            throw new IllegalArgumentException("this pack cannot be written as a rule-pack file: " + e.getMessage(), e);
        }
        if (!back.equals(pack)) {
            throw new IllegalArgumentException("this pack would not read back the same from a rule-pack file"
                    + " (a duration of a fraction of a second?): " + pack);
        }
        return yaml;
    }

    // ------------------------------------------------------------------------------------------
    // reading

    /** One pass over one file's tree, collecting problems rather than stopping at the first. */
    private static final class Reader {

        private final String file;
        private final List<Problem> problems;

        Reader(String file, List<Problem> problems) {
            this.file = file;
            this.problems = problems;
        }

        private void problem(int line, String field, String message) {
            problems.add(new Problem(file, line, field, message));
        }

        RulePack pack(Node root) {
            if (root == null) {
                problem(1, "", "the file is empty; a rule pack needs id, version, hazards and rules"
                        + " (start from config/rules/yrd-default.yaml)");
                return null;
            }
            if (!(root instanceof Mapping map)) {
                problem(root.line(), "", describe(root) + " at the top of the file; a rule pack is a mapping"
                        + " with the keys id, version, description, hazards and rules");
                return null;
            }
            Section top = new Section("", map, map.line());
            String id = text(top.required("id", DEFAULTS.id()), "id", DEFAULTS.id());
            String version = text(top.required("version", quoted(DEFAULTS.version())), "version", DEFAULTS.version());
            Node description = top.optional("description");
            if (description != null) {
                text(description, "description", "the default pack of rules-v1.md");
            }
            Node hazardsNode = top.need("hazards",
                    "missing; add hazards: with a threshold, unit and relatedCalls for each sensor kind");
            Map<SensorKind, RulePack.Hazard> hazards = hazardsNode == null ? null
                    : hazards(hazardsNode, top.keyLine("hazards"));
            Node rulesNode = top.need("rules", "missing; add rules: with " + String.join(", ", RULES));
            Mapping rules = rulesNode == null ? null : rules(rulesNode, top.keyLine("rules"));
            Node patternsNode = top.optional("patterns");
            List<PatternRule> patterns = patternsNode == null ? List.of() : new Patterns().read(patternsNode);
            top.finish();
            if (rules == null) {
                return null;
            }
            RulePack.Cascade cascade = rule(rules, "INC-CASCADE", this::cascade);
            RulePack.Spread spread = rule(rules, "INC-SPREAD", this::spread);
            RulePack.Cluster cluster = rule(rules, "INC-CLUSTER", this::cluster);
            RulePack.Link link = rule(rules, "CYB-LINK", this::link);
            RulePack.Burst burst = rule(rules, "CYB-BURST", this::burst);
            RulePack.Escalation escalation = rule(rules, "ESC-ACK", this::escalation);
            return anyNull(id, version, hazards, cascade, spread, cluster, link, burst, escalation, patterns) ? null
                    : new RulePack(id, version, hazards, cascade, spread, cluster, link, burst, escalation, patterns);
        }

        // --- hazards

        private Map<SensorKind, RulePack.Hazard> hazards(Node node, int keyLine) {
            Mapping map = mapping(node, "hazards", "a mapping from sensor kind to its hazard, e.g. GAS: {threshold: 25, ...}");
            if (map == null) {
                return null;
            }
            Map<SensorKind, RulePack.Hazard> hazards = new EnumMap<>(SensorKind.class);
            boolean complete = true;
            for (Entry e : map.entries().values()) {
                SensorKind kind = enumKey(e, "hazards", SensorKind.class, "sensor kind");
                if (kind == null) {
                    continue;
                }
                RulePack.Hazard h = hazard(e, "hazards." + e.key(), kind);
                if (h == null) {
                    complete = false;
                } else {
                    hazards.put(kind, h);
                }
            }
            Set<String> guessed = guessed(map, names(SensorKind.class));
            for (SensorKind kind : SensorKind.values()) {
                if (!map.entries().containsKey(kind.name()) && !guessed.contains(kind.name())) {
                    complete = false;
                    problem(keyLine, "hazards." + kind.name(), "missing; every sensor kind needs a hazard, add "
                            + kind.name() + ": " + Writer.hazard(DEFAULTS.hazards().get(kind)));
                }
            }
            return complete ? hazards : null;
        }

        private RulePack.Hazard hazard(Entry entry, String path, SensorKind kind) {
            RulePack.Hazard example = DEFAULTS.hazards().get(kind);
            Mapping map = mapping(entry.value(), path, "a mapping with threshold, unit and relatedCalls");
            if (map == null) {
                return null;
            }
            Section s = new Section(path, map, entry.keyLine());
            Double threshold = threshold(s.required("threshold", Units.plain(example.threshold())), s.child("threshold"),
                    example.threshold(), PackLimits.THRESHOLDS.get(kind));
            String unit = text(s.required("unit", quoted(example.unit())), s.child("unit"), example.unit());
            Set<CallCategory> related = categoryList(s.required("relatedCalls", Writer.list(example.relatedCalls())),
                    s.child("relatedCalls"), example.relatedCalls(), true);
            s.finish();
            return threshold == null || unit == null || related == null ? null
                    : new RulePack.Hazard(threshold, unit, related);
        }

        // --- rules

        /** The rules mapping, after reporting rule ids that are unknown or missing. */
        private Mapping rules(Node node, int keyLine) {
            Mapping map = mapping(node, "rules", "a mapping from rule id to its settings, e.g. INC-CASCADE: {enabled: true, ...}");
            if (map == null) {
                return null;
            }
            for (Entry e : map.entries().values()) {
                if (!RULES.contains(e.key())) {
                    problem(e.keyLine(), e.key(), "unknown rule; write one of " + String.join(", ", RULES) + guess(e.key(), RULES));
                }
            }
            Set<String> guessed = guessed(map, RULES);
            for (String rule : RULES) {
                if (!map.entries().containsKey(rule) && !guessed.contains(rule)) {
                    problem(keyLine, rule, "missing; every pack sets all six rules, add " + rule
                            + ": with its settings (enabled: false turns it off)");
                }
            }
            return map;
        }

        private <T> T rule(Mapping rules, String id, Function<Section, T> reader) {
            Entry e = rules.entries().get(id);
            if (e == null) {
                return null;
            }
            Mapping map = mapping(e.value(), id, "a mapping with enabled and the rule's settings");
            if (map == null) {
                return null;
            }
            Section s = new Section(id, map, e.keyLine());
            T rule = reader.apply(s);
            s.finish();
            return rule;
        }

        private RulePack.Cascade cascade(Section s) {
            RulePack.Cascade d = DEFAULTS.cascade();
            Boolean enabled = enabled(s, d.enabled());
            Double radius = distance(s, "radius", d.radiusKm());
            Duration window = duration(s, "window", d.window(), PackLimits.WINDOW);
            Integer minCalls = count(s, "minCalls", d.minCalls(), PackLimits.CALLS);
            Severity severity = severity(s, "severity", d.severity());
            Severity crossProvince = severity(s, "crossProvinceSeverity", d.crossProvinceSeverity());
            return anyNull(enabled, radius, window, minCalls, severity, crossProvince) ? null
                    : new RulePack.Cascade(enabled, radius, window, minCalls, severity, crossProvince);
        }

        private RulePack.Spread spread(Section s) {
            RulePack.Spread d = DEFAULTS.spread();
            Boolean enabled = enabled(s, d.enabled());
            Double radius = distance(s, "radius", d.radiusKm());
            Duration window = duration(s, "window", d.window(), PackLimits.WINDOW);
            Integer minProvinces = count(s, "minProvinces", d.minProvinces(), PackLimits.PROVINCE_COUNT);
            Severity severity = severity(s, "severity", d.severity());
            return anyNull(enabled, radius, window, minProvinces, severity) ? null
                    : new RulePack.Spread(enabled, radius, window, minProvinces, severity);
        }

        private RulePack.Cluster cluster(Section s) {
            RulePack.Cluster d = DEFAULTS.cluster();
            Boolean enabled = enabled(s, d.enabled());
            Set<CallCategory> categories = clusterCategories(s, d.categories());
            Double radius = distance(s, "radius", d.radiusKm());
            Duration window = duration(s, "window", d.window(), PackLimits.WINDOW);
            Integer minCalls = count(s, "minCalls", d.minCalls(), PackLimits.CHAIN);
            Integer minProvinces = count(s, "minProvinces", d.minProvinces(), PackLimits.PROVINCE_COUNT);
            Severity severity = severity(s, "severity", d.severity());
            return anyNull(enabled, categories, radius, window, minCalls, minProvinces, severity) ? null
                    : new RulePack.Cluster(enabled, categories, radius, window, minCalls, minProvinces, severity);
        }

        private RulePack.Link link(Section s) {
            RulePack.Link d = DEFAULTS.link();
            Boolean enabled = enabled(s, d.enabled());
            Duration liveFor = duration(s, "liveFor", d.liveness(), PackLimits.LIVENESS);
            Integer minProvinces = count(s, "minProvinces", d.minProvinces(), PackLimits.PROVINCE_COUNT);
            Double criticalLoss = amount(s.required("criticalLossCny", Units.plain(d.criticalLossCny())),
                    s.child("criticalLossCny"), d.criticalLossCny(), PackLimits.MONEY);
            Severity severity = severity(s, "severity", d.severity());
            Severity critical = severity(s, "criticalSeverity", d.criticalSeverity());
            return anyNull(enabled, liveFor, minProvinces, criticalLoss, severity, critical) ? null
                    : new RulePack.Link(enabled, liveFor, minProvinces, criticalLoss, severity, critical);
        }

        private RulePack.Burst burst(Section s) {
            RulePack.Burst d = DEFAULTS.burst();
            Boolean enabled = enabled(s, d.enabled());
            Duration quietGap = duration(s, "quietGap", d.quietGap(), PackLimits.QUIET_GAP);
            Integer minReports = count(s, "minReports", d.minReports(), PackLimits.CHAIN);
            Severity severity = severity(s, "severity", d.severity());
            return anyNull(enabled, quietGap, minReports, severity) ? null
                    : new RulePack.Burst(enabled, quietGap, minReports, severity);
        }

        private RulePack.Escalation escalation(Section s) {
            RulePack.Escalation d = DEFAULTS.escalation();
            Boolean enabled = enabled(s, d.enabled());
            Node slaNode = s.required("sla", Writer.sla(d.sla()));
            Map<Severity, Duration> sla = slaNode == null ? null : sla(slaNode, s.child("sla"));
            return anyNull(enabled, sla) ? null : new RulePack.Escalation(enabled, sla);
        }

        private Map<Severity, Duration> sla(Node node, String path) {
            Mapping map = mapping(node, path, "a mapping from severity to the time allowed to acknowledge, e.g. {CRITICAL: 5m, HIGH: 15m}");
            if (map == null) {
                return null;
            }
            Map<Severity, Duration> sla = new EnumMap<>(Severity.class);
            boolean complete = true;
            for (Entry e : map.entries().values()) {
                Severity severity = enumKey(e, path, Severity.class, "severity");
                if (severity == null) {
                    complete = false;
                    continue;
                }
                Duration example = DEFAULTS.escalation().sla().getOrDefault(severity, Duration.ofMinutes(30));
                Duration d = duration(e.value(), path + "." + e.key(), example, PackLimits.SLA);
                if (d == null) {
                    complete = false;
                } else {
                    sla.put(severity, d);
                }
            }
            return complete ? sla : null;
        }

        private Set<CallCategory> clusterCategories(Section s, Set<CallCategory> example) {
            String path = s.child("categories");
            Set<CallCategory> except = EnumSet.complementOf(EnumSet.copyOf(example));
            Node node = s.required("categories", "{allExcept: " + Writer.list(except) + "}");
            if (node == null) {
                return null;
            }
            if (node instanceof Mapping map) {
                Section inner = new Section(path, map, s.keyLine("categories"));
                Set<CallCategory> excluded = categoryList(inner.required("allExcept", Writer.list(except)),
                        inner.child("allExcept"), except, true);
                inner.finish();
                if (excluded == null) {
                    return null;
                }
                Set<CallCategory> categories = excluded.isEmpty()
                        ? EnumSet.allOf(CallCategory.class) : EnumSet.complementOf(EnumSet.copyOf(excluded));
                if (categories.isEmpty()) {
                    problem(node.line(), path, "allExcept leaves no category; the rule could never fire"
                            + " (write enabled: false to turn it off)");
                    return null;
                }
                return categories;
            }
            if (node instanceof Sequence || isText(node)) {
                return categoryList(node, path, example, false);
            }
            problem(node.line(), path, wrong(node, "a list of call categories") + "; write a list such as"
                    + " [FIRE, FLOOD] or {allExcept: " + Writer.list(except) + "}");
            return null;
        }

        // --- patterns

        /** The {@code patterns:} section: the analysts' own patterns, each checked as thoroughly as a rule. */
        private final class Patterns {

            private final Set<String> ids = new java.util.HashSet<>();
            /** Steps of the pattern being read that have problems of their own: a later step naming one is not reported again. */
            private final Set<String> brokenSteps = new java.util.HashSet<>();

            List<PatternRule> read(Node node) {
                if (!(node instanceof Sequence seq)) {
                    problem(node.line(), "patterns", wrong(node, "a list") + "; write a list of patterns, each starting"
                            + " with - id: PAT-... (config/rules/examples/ has worked ones)");
                    return null;
                }
                PackLimits.Limit most = PackLimits.PATTERN_COUNT;
                if (most.tooHigh(BigDecimal.valueOf(seq.items().size()))) {
                    problem(node.line(), "patterns", seq.items().size() + " patterns are too many; a pack holds at most "
                            + most.maxText());
                    return null;
                }
                List<PatternRule> patterns = new ArrayList<>();
                boolean complete = true;
                for (int i = 0; i < seq.items().size(); i++) {
                    PatternRule p = pattern(seq.items().get(i), i + 1);
                    if (p == null) {
                        complete = false;
                    } else {
                        patterns.add(p);
                    }
                }
                return complete ? patterns : null;
            }

            private PatternRule pattern(Node node, int position) {
                Mapping map = mapping(node, "patterns", "a mapping with id, severity, key, within and steps");
                if (map == null) {
                    return null;
                }
                // the id first: every other problem of the pattern names it
                Entry idEntry = map.entries().get("id");
                String id = idEntry == null ? null : id(idEntry.value());
                Section s = new Section("patterns." + (id != null ? id : "#" + position), map, node.line());
                s.need("id", "missing; add e.g. id: PAT-FLOOD-RESCUE (the rule id of the pattern's alerts)");
                Node description = s.optional("description");
                String descriptionText = description == null ? null : text(description, s.child("description"), "what the pattern finds");
                Severity severity = severity(s, "severity", Severity.HIGH);
                Node keyNode = s.required("key", "grid(5km)");
                PatternRule.Key key = keyNode == null ? null : key(keyNode, s.child("key"));
                Duration within = duration(s, "within", Duration.ofHours(1), PackLimits.PATTERN_WITHIN);
                Node stepsNode = s.need("steps", "missing; add steps: a list whose first step begins the pattern, e.g."
                        + " - {begin: breach, stream: SENSOR, where: {kind: WATER_LEVEL}}");
                List<PatternRule.Step> steps = stepsNode == null ? null : steps(stepsNode, s.child("steps"), key);
                Node afterMatchNode = s.optional("afterMatch");
                PatternRule.AfterMatch afterMatch = afterMatchNode == null ? PatternRule.AfterMatch.SKIP_PAST_LAST_EVENT
                        : afterMatch(afterMatchNode, s.child("afterMatch"));
                Node provincesNode = s.optional("provinces");
                Integer minProvinces = provincesNode == null ? Integer.valueOf(1) : provinces(provincesNode, s.child("provinces"), key);
                Node summaryNode = s.optional("summary");
                String summary = summaryNode == null ? null : summary(summaryNode, s.child("summary"));
                s.finish();
                if (anyNull(id, severity, key, within, steps, afterMatch, minProvinces) || description != null && descriptionText == null
                        || summaryNode != null && summary == null) {
                    return null;
                }
                return new PatternRule(id, descriptionText, severity, key, within, steps, afterMatch, minProvinces, summary);
            }

            private String id(Node node) {
                String id = text(node, "patterns.id", "PAT-FLOOD-RESCUE");
                if (id == null) {
                    return null;
                }
                String path = "patterns." + id;
                if (!id.matches("[A-Z][A-Z0-9]*(-[A-Z0-9]+)*") || id.length() > 40) {
                    String upper = id.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "-").replaceAll("^-+|-+$", "");
                    problem(node.line(), "patterns.id", "'" + shown(id) + "' is not a pattern id; write capitals, digits and"
                            + " dashes, at most 40 characters" + (upper.matches("[A-Z][A-Z0-9-]{0,39}") ? ", e.g. " + upper : ""));
                    return null;
                }
                if (RULES.contains(id)) {
                    problem(node.line(), path, id + " is one of the six rules; give the pattern its own id, e.g. PAT-" + id);
                    return null;
                }
                if (!ids.add(id)) {
                    problem(node.line(), path, "a second pattern with this id; every pattern needs its own id");
                    return null;
                }
                return id;
            }

            private PatternRule.Key key(Node node, String path) {
                String example = "grid(5km), identifier, city or none";
                if (!(node instanceof Scalar sc && sc.kind() == ScalarKind.TEXT && !isEmpty(node))) {
                    problem(node.line(), path, wrong(node, "a key") + "; write " + example);
                    return null;
                }
                String t = sc.text().trim();
                java.util.regex.Matcher grid = java.util.regex.Pattern.compile("grid\\((.*)\\)").matcher(t);
                if (grid.matches()) {
                    String inner = grid.group(1).trim();
                    Double km = distance(new Scalar(ScalarKind.TEXT, inner, inner, node.line()), path, 5,
                            PackLimits.PATTERN_DISTANCE);
                    return km == null ? null : new PatternRule.Key(PatternRule.KeyKind.GRID, km);
                }
                List<String> names = List.of("identifier", "city", "none");
                if (names.contains(t)) {
                    return new PatternRule.Key(PatternRule.KeyKind.valueOf(t.toUpperCase(Locale.ROOT)), 0);
                }
                String guess = closest(t, List.of("grid", "identifier", "city", "none"));
                problem(node.line(), path, quotedText(sc) + " is not a key; write " + example
                        + (guess == null ? "" : " (did you mean " + (guess.equals("grid") ? "grid(5km)" : guess) + "?)"));
                return null;
            }

            private List<PatternRule.Step> steps(Node node, String path, PatternRule.Key key) {
                if (!(node instanceof Sequence seq) || seq.items().isEmpty()) {
                    problem(node.line(), path, (node instanceof Sequence ? "no steps" : wrong(node, "a list of steps"))
                            + "; write a list whose first step begins the pattern, e.g. - {begin: breach, stream: SENSOR}");
                    return null;
                }
                PackLimits.Limit most = PackLimits.PATTERN_STEPS;
                if (most.tooHigh(BigDecimal.valueOf(seq.items().size()))) {
                    problem(node.line(), path, seq.items().size() + " steps are too many; write at most " + most.maxText());
                    return null;
                }
                List<PatternRule.Step> steps = new ArrayList<>();
                brokenSteps.clear();
                boolean complete = true;
                for (Node item : seq.items()) {
                    PatternRule.Step step = step(item, path, steps, key);
                    if (step == null) {
                        complete = false;
                        // later steps may refer to this one: keep its name known, without conditions
                        steps.add(null);
                    } else {
                        steps.add(step);
                    }
                }
                return complete ? steps : null;
            }

            private PatternRule.Step step(Node node, String parent, List<PatternRule.Step> before, PatternRule.Key key) {
                Mapping map = mapping(node, parent, "a mapping such as {followedBy: calls, stream: CALL, where: {category: [FLOOD]}}");
                if (map == null) {
                    return null;
                }
                boolean first = before.isEmpty();
                List<Entry> how = map.entries().values().stream().filter(e -> CONTIGUITY_KEYS.contains(e.key())).toList();
                if (how.size() != 1) {
                    problem(node.line(), parent, (how.isEmpty() ? "a step without a name" : "a step with "
                            + how.stream().map(Entry::key).collect(Collectors.joining(" and ")))
                            + "; start it with exactly one of " + (first ? "begin: <name>" : String.join(", ", CONTIGUITY_KEYS.subList(1, 6)) + ": <name>"));
                    return null;
                }
                Entry named = how.get(0);
                String name = stepName(named.value(), parent);
                if (name == null) {
                    return null;
                }
                String path = parent + "." + name;
                PatternRule.Contiguity contiguity = PatternRule.Contiguity.values()[CONTIGUITY_KEYS.indexOf(named.key())];
                if (first && contiguity != PatternRule.Contiguity.BEGIN) {
                    problem(named.keyLine(), path, "the first step begins the pattern; write begin: " + name);
                    brokenSteps.add(name);
                    return null;
                }
                if (!first && contiguity == PatternRule.Contiguity.BEGIN) {
                    problem(named.keyLine(), path, "only the first step begins the pattern; write followedBy: " + name
                            + " (or next, followedByAny, notNext, notFollowedBy)");
                    return null;
                }
                for (PatternRule.Step b : before) {
                    if (b != null && b.name().equals(name)) {
                        problem(named.keyLine(), path, "a second step named " + name + "; every step needs its own name");
                        return null;
                    }
                }
                Section s = new Section(path, map, node.line());
                s.optional(named.key());
                Node streamNode = s.required("stream", "CALL");
                StreamKind stream = streamNode == null ? null : stream(streamNode, s.child("stream"), key);
                Node whereNode = s.optional("where");
                PatternRule.Where where = stream == null ? null
                        : whereNode == null ? PatternRule.Where.ANY : where(whereNode, s.child("where"), stream, s.keyLine("where"));
                Node nearNode = s.optional("near");
                PatternRule.Near near = nearNode == null || stream == null ? null : near(nearNode, s.child("near"), stream, before);
                Node timesNode = s.optional("times");
                int[] times = timesNode == null ? new int[] {1, 0} : times(timesNode, s.child("times"), contiguity);
                s.finish();
                if (stream == null || where == null || nearNode != null && near == null || times == null) {
                    brokenSteps.add(name);
                    return null;
                }
                return new PatternRule.Step(name, contiguity, stream, where, near, times[0], times[1] == 1);
            }

            private String stepName(Node node, String path) {
                String name = text(node, path, "calls");
                if (name == null) {
                    return null;
                }
                if (!name.matches("[A-Za-z][A-Za-z0-9_]{0,39}")) {
                    problem(node.line(), path, "'" + shown(name) + "' is not a step name; write a word of letters, digits"
                            + " and _, starting with a letter, e.g. calls");
                    return null;
                }
                return name;
            }

            private StreamKind stream(Node node, String path, PatternRule.Key key) {
                List<String> streams = List.of("SENSOR", "CALL", "FRAUD");
                if (!(node instanceof Scalar sc && sc.kind() == ScalarKind.TEXT && streams.contains(sc.text()))) {
                    String written = node instanceof Scalar sc ? sc.text() : "";
                    problem(node.line(), path, (isText(node) ? quotedText((Scalar) node) + " is not a stream" : wrong(node, "a stream"))
                            + "; write one of " + String.join(", ", streams) + guess(written, streams));
                    return null;
                }
                StreamKind stream = StreamKind.valueOf(((Scalar) node).text());
                if (key != null && key.kind() == PatternRule.KeyKind.IDENTIFIER && stream != StreamKind.FRAUD) {
                    problem(node.line(), path, stream + " events name no identifier; with key: identifier every step is"
                            + " about FRAUD reports (or key the pattern by city, grid(...) or none)");
                    return null;
                }
                if (key != null && key.kind() == PatternRule.KeyKind.GRID && stream == StreamKind.FRAUD) {
                    problem(node.line(), path, "fraud reports have no position, so key: grid(...) cannot place them;"
                            + " key the pattern by city or none");
                    return null;
                }
                return stream;
            }

            private PatternRule.Where where(Node node, String path, StreamKind stream, int line) {
                Mapping map = mapping(node, path, "a mapping of conditions, e.g. {category: [FLOOD]}");
                if (map == null) {
                    return null;
                }
                Section s = new Section(path, map, line);
                Set<SensorKind> kinds = Set.of();
                PatternRule.Range value = null;
                Set<CallCategory> categories = Set.of();
                Set<org.yrd.linkage.model.FraudType> fraudTypes = Set.of();
                PatternRule.Range amount = null;
                boolean complete = true;
                switch (stream) {
                    case SENSOR -> {
                        Node k = s.optional("kind");
                        kinds = k == null ? Set.of() : names(k, s.child("kind"), SensorKind.class, "sensor kind");
                        Node v = s.optional("value");
                        if (v != null && kinds != null) {
                            value = range(v, s.child("value"), kinds);
                            complete = value != null;
                        }
                    }
                    case CALL -> {
                        Node c = s.optional("category");
                        categories = c == null ? Set.of() : names(c, s.child("category"), CallCategory.class, "call category");
                    }
                    default -> {
                        Node t = s.optional("fraudType");
                        fraudTypes = t == null ? Set.of() : names(t, s.child("fraudType"), org.yrd.linkage.model.FraudType.class, "fraud type");
                        Node a = s.optional("amountCny");
                        if (a != null) {
                            amount = range(a, s.child("amountCny"), null);
                            complete = amount != null;
                        }
                    }
                }
                Node cityNode = s.optional("city");
                Set<Integer> cities = cityNode == null ? Set.of() : codes(cityNode, s.child("city"), false);
                Node provinceNode = s.optional("province");
                Set<Integer> provinces = provinceNode == null ? Set.of() : codes(provinceNode, s.child("province"), true);
                s.finish();
                if (!complete || anyNull(kinds, categories, fraudTypes, cities, provinces)) {
                    return null;
                }
                return new PatternRule.Where(kinds, value, categories, fraudTypes, amount, cities, provinces);
            }

            /** One name or a list of names of an enum. */
            private <E extends Enum<E>> Set<E> names(Node node, String path, Class<E> type, String noun) {
                List<Node> items = node instanceof Sequence seq ? seq.items() : List.of(node);
                Set<E> set = new java.util.TreeSet<>();
                boolean complete = true;
                for (Node item : items) {
                    E e = enumValue(item, path, type, noun);
                    if (e == null) {
                        complete = false;
                    } else if (!set.add(e)) {
                        problem(item.line(), path, e + " is listed twice; list it once");
                        complete = false;
                    }
                }
                if (complete && set.isEmpty()) {
                    problem(node.line(), path, "an empty list; no event could match, list at least one " + noun
                            + " (or leave the condition out to accept any)");
                    return null;
                }
                return complete ? set : null;
            }

            /** City codes (e.g. 320500) or province codes (e.g. 320000), one or a list. */
            private Set<Integer> codes(Node node, String path, boolean province) {
                List<Node> items = node instanceof Sequence seq ? seq.items() : List.of(node);
                Set<Integer> set = new java.util.TreeSet<>();
                String example = province ? "320000" : "320500";
                boolean complete = true;
                for (Node item : items) {
                    Integer code = item instanceof Scalar sc && sc.kind() == ScalarKind.INTEGER && sc.text().matches("\\d{6}")
                            ? Integer.valueOf(sc.text()) : null;
                    boolean known = code != null && (province
                            ? List.of(310000, 320000, 330000, 340000).contains(code)
                            : org.yrd.linkage.region.Region.get().city(code) != null);
                    if (!known) {
                        problem(item.line(), path, (code != null ? String.valueOf(code) : isEmpty(item) ? "no value" : describe(item))
                                + " is not " + (province
                                ? "a province of the region; write 310000, 320000, 330000 or 340000"
                                : "one of the 41 cities; write its GB/T 2260 code, e.g. " + example + " for Suzhou"));
                        complete = false;
                    } else {
                        set.add(code);
                    }
                }
                return complete && !set.isEmpty() ? set : null;
            }

            /**
             * {@code {atLeast: x, atMost: y}}: a sensor value (within the threshold range of each
             * kind in {@code kinds}; null for an amount of CNY).
             */
            private PatternRule.Range range(Node node, String path, Set<SensorKind> kinds) {
                String example = kinds == null ? "{atLeast: 10000}" : "{atLeast: 5.0}";
                Mapping map = mapping(node, path, "a range, e.g. " + example);
                if (map == null) {
                    return null;
                }
                Section s = new Section(path, map, node.line());
                Double atLeast = bound(s, "atLeast", kinds);
                Double atMost = bound(s, "atMost", kinds);
                s.finish();
                if (map.entries().isEmpty()) {
                    problem(node.line(), path, "an empty range; write e.g. " + example);
                    return null;
                }
                if (atLeast == null && map.entries().containsKey("atLeast") || atMost == null && map.entries().containsKey("atMost")) {
                    return null;
                }
                if (atLeast != null && atMost != null && atLeast > atMost) {
                    problem(node.line(), path, "atLeast " + Units.plain(atLeast) + " is above atMost " + Units.plain(atMost)
                            + "; no value lies between them, swap them");
                    return null;
                }
                return new PatternRule.Range(atLeast, atMost);
            }

            private Double bound(Section s, String key, Set<SensorKind> kinds) {
                Node node = s.optional(key);
                if (node == null) {
                    return null;
                }
                String path = s.child(key);
                if (kinds == null) {
                    return amount(node, path, 10_000, PackLimits.PATTERN_AMOUNT);
                }
                BigDecimal v = finite(node, path, "5.0", "a number", PackLimits.THRESHOLDS.get(SensorKind.WATER_LEVEL));
                if (v == null) {
                    return null;
                }
                for (SensorKind kind : kinds.isEmpty() ? EnumSet.allOf(SensorKind.class) : kinds) {
                    PackLimits.Limit limit = PackLimits.THRESHOLDS.get(kind);
                    if (v.compareTo(limit.min()) < 0 || limit.tooHigh(v)) {
                        problem(node.line(), path, shown(((Scalar) node).text()) + " is beyond what a " + kind
                                + " sensor reads; write a value " + limit.range().replaceFirst("^above ", "from ")
                                .replaceFirst(", up to ", " to ") + (kinds.isEmpty() ? " (or name the sensor kind)" : ""));
                        return null;
                    }
                }
                return v.doubleValue();
            }

            private PatternRule.Near near(Node node, String path, StreamKind stream, List<PatternRule.Step> before) {
                Mapping map = mapping(node, path, "a mapping such as {step: breach, within: 5km}");
                if (map == null) {
                    return null;
                }
                Section s = new Section(path, map, node.line());
                Node stepNode = s.required("step", "breach");
                Node withinNode = s.required("within", "5km");
                Double km = withinNode == null ? null : distance(withinNode, s.child("within"), 5, PackLimits.PATTERN_DISTANCE);
                s.finish();
                if (stepNode == null || km == null) {
                    return null;
                }
                List<String> earlier = before.stream().filter(Objects::nonNull).map(PatternRule.Step::name).toList();
                String step = isText(stepNode) ? ((Scalar) stepNode).text() : null;
                PatternRule.Step target = before.stream().filter(b -> b != null && b.name().equals(step)).findFirst().orElse(null);
                if (target == null && brokenSteps.contains(step)) {
                    return null;
                }
                if (target == null) {
                    problem(stepNode.line(), s.child("step"), (step == null ? wrong(stepNode, "a step name") : "'" + shown(step)
                            + "' is not an earlier step") + "; write one of " + String.join(", ", earlier) + guess(step == null ? "" : step, earlier));
                    return null;
                }
                if (target.contiguity().negated()) {
                    problem(stepNode.line(), s.child("step"), step + " is a step that must not happen; name a step that"
                            + " happens, one of " + earlier.stream().filter(n -> !n.equals(step)).collect(Collectors.joining(", ")));
                    return null;
                }
                if (stream == StreamKind.FRAUD || target.stream() == StreamKind.FRAUD) {
                    problem(node.line(), path, "fraud reports have no position; near applies to SENSOR and CALL steps"
                            + " (a where: {city: ...} condition places a report)");
                    return null;
                }
                return new PatternRule.Near(step, km);
            }

            /** {@code 3} (exactly) or {@code {atLeast: 3}}: the count and 1 for "or more". */
            private int[] times(Node node, String path, PatternRule.Contiguity contiguity) {
                if (contiguity.negated()) {
                    problem(node.line(), path, "a step that must not happen has no count; remove times");
                    return null;
                }
                if (node instanceof Mapping map) {
                    Section s = new Section(path, map, node.line());
                    Integer n = count(s, "atLeast", 3, PackLimits.PATTERN_TIMES);
                    s.finish();
                    return n == null ? null : new int[] {n, 1};
                }
                Integer n = count(node, path, 3, PackLimits.PATTERN_TIMES);
                return n == null ? null : new int[] {n, 0};
            }

            private PatternRule.AfterMatch afterMatch(Node node, String path) {
                if (isText(node) && AFTER_MATCH.contains(((Scalar) node).text())) {
                    return PatternRule.AfterMatch.values()[AFTER_MATCH.indexOf(((Scalar) node).text())];
                }
                String written = isText(node) ? ((Scalar) node).text() : "";
                problem(node.line(), path, (isText(node) ? quotedText((Scalar) node) + " is not an after-match strategy"
                        : wrong(node, "an after-match strategy")) + "; write " + String.join(" or ", AFTER_MATCH)
                        + guess(written, AFTER_MATCH));
                return null;
            }

            private Integer provinces(Node node, String path, PatternRule.Key key) {
                Mapping map = mapping(node, path, "{atLeast: 2}");
                if (map == null) {
                    return null;
                }
                Section s = new Section(path, map, node.line());
                Integer n = count(s, "atLeast", 2, PackLimits.PATTERN_PROVINCES);
                s.finish();
                if (n != null && n > 1 && key != null && key.kind() == PatternRule.KeyKind.CITY) {
                    problem(node.line(), path, "a city lies in one province, so key: city never spans " + n
                            + "; key the pattern by grid(...) or none, or drop provinces");
                    return null;
                }
                return n;
            }

            private String summary(Node node, String path) {
                String text = text(node, path, "{calls}起洪涝求救警情：{places}");
                if (text == null) {
                    return null;
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^{}]*)}").matcher(text);
                while (m.find()) {
                    if (!PatternRule.PLACEHOLDERS.contains(m.group(1))) {
                        problem(node.line(), path, "{" + shown(m.group(1)) + "} is not a placeholder; write one of "
                                + PatternRule.PLACEHOLDERS.stream().map(p -> "{" + p + "}").collect(Collectors.joining(", "))
                                + guess(m.group(1), PatternRule.PLACEHOLDERS));
                        return null;
                    }
                }
                return text;
            }
        }

        // --- values

        private Boolean enabled(Section s, boolean example) {
            Node node = s.required("enabled", String.valueOf(example));
            if (node == null) {
                return null;
            }
            String path = s.child("enabled");
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.BOOLEAN) {
                return (Boolean) sc.value();
            }
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.TEXT
                    && (sc.text().equalsIgnoreCase("true") || sc.text().equalsIgnoreCase("false"))) {
                problem(node.line(), path, quotedText(sc) + " is in quotes, which makes it text; write "
                        + sc.text().toLowerCase(Locale.ROOT) + " without quotes");
                return null;
            }
            problem(node.line(), path, wrong(node, "true or false") + "; write true or false");
            return null;
        }

        private String text(Node node, String path, String example) {
            if (node == null) {
                return null;
            }
            if (node instanceof Scalar sc) {
                switch (sc.kind()) {
                    case TEXT:
                        if (sc.text().isBlank()) {
                            problem(node.line(), path, "empty; write e.g. " + quoted(example));
                            return null;
                        }
                        return sc.text();
                    case INTEGER:
                    case DECIMAL:
                        problem(node.line(), path, sc.text() + " is read as a number; write it in quotes, "
                                + quoted(sc.text()) + ", so that it stays text exactly as written");
                        return null;
                    case BOOLEAN:
                        problem(node.line(), path, sc.text() + " is read as true or false; write it in quotes, "
                                + quoted(sc.text()));
                        return null;
                    default:
                        break;
                }
            }
            problem(node.line(), path, wrong(node, "text") + "; write e.g. " + quoted(example));
            return null;
        }

        private Integer count(Section s, String key, int example, PackLimits.Limit limit) {
            Node node = s.required(key, String.valueOf(example));
            return node == null ? null : count(node, s.child(key), example, limit);
        }

        private Integer count(Node node, String path, int example, PackLimits.Limit limit) {
            BigDecimal n = wholeOrReport(node, path, example, limit);
            if (n == null) {
                return null;
            }
            String value = shown(n.toPlainString());
            if (limit.tooLow(n)) {
                problem(node.line(), path, value + " must be at least " + limit.minText() + "; write e.g. " + example);
                return null;
            }
            if (limit.tooHigh(n)) {
                problem(node.line(), path, limit == PackLimits.PROVINCE_COUNT || limit == PackLimits.PATTERN_PROVINCES
                        ? value + " can never be reached: the region has " + PackLimits.PROVINCES
                          + " provinces; write 1 to " + PackLimits.PROVINCES
                        : value + " is too large; write at most " + limit.maxText() + ", e.g. " + example);
                return null;
            }
            return n.intValueExact();
        }

        /** A whole number, or null after saying why it is not one. */
        private BigDecimal wholeOrReport(Node node, String path, int example, PackLimits.Limit limit) {
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.INTEGER) {
                return integer(sc);
            }
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.DECIMAL) {
                double v = (Double) sc.value();
                boolean whole = Double.isFinite(v) && v == Math.rint(v) && limit.contains(BigDecimal.valueOf(v));
                problem(node.line(), path, shown(sc.text()) + " is not a whole number; write "
                        + (whole ? Units.plain(v) : "e.g. " + example));
                return null;
            }
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.TEXT && !isEmpty(node)) {
                notANumber(sc, path, String.valueOf(example), "a number", limit);
                return null;
            }
            problem(node.line(), path, wrong(node, "a number") + "; write e.g. " + example);
            return null;
        }

        private static BigDecimal integer(Scalar sc) {
            return new BigDecimal(sc.value() instanceof BigInteger b ? b : BigInteger.valueOf(((Number) sc.value()).longValue()));
        }

        /** Suggests the number the text most likely means, when that number would be in range. */
        private void notANumber(Scalar sc, String path, String example, String what, PackLimits.Limit limit) {
            if (sc.text().trim().matches("[-+]?\\d+(\\.\\d+)?")) {
                // YAML reads a plain number of a thousand digits or more as text, without quotes
                problem(sc.line(), path, sc.text().length() > SHOWN
                        ? shown(sc.text()) + " has too many digits; write e.g. " + example
                        : quotedText(sc) + " is in quotes, which makes it text; write " + sc.text().trim() + " without quotes");
                return;
            }
            BigDecimal meant = Units.interpretNumber(sc.text());
            problem(sc.line(), path, quotedText(sc) + " is not " + what + "; write "
                    + (meant == null || !limit.contains(meant) ? "e.g. " + example : meant.toPlainString()));
        }

        /**
         * A finite number, exactly as written for integers (so that a range check holds however
         * many digits), or null after saying why it is not one. {@code -0.0} reads as 0.
         */
        private BigDecimal finite(Node node, String path, String example, String what, PackLimits.Limit limit) {
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.INTEGER) {
                return integer(sc);
            }
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.DECIMAL) {
                double v = (Double) sc.value();
                if (!Double.isFinite(v)) {
                    problem(node.line(), path, shown(sc.text()) + " is not a finite number; write e.g. " + example);
                    return null;
                }
                return BigDecimal.valueOf(v);
            }
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.TEXT && !isEmpty(node)) {
                notANumber(sc, path, example, what, limit);
                return null;
            }
            problem(node.line(), path, wrong(node, what) + "; write e.g. " + example);
            return null;
        }

        private Double threshold(Node node, String path, double example, PackLimits.Limit limit) {
            if (node == null) {
                return null;
            }
            BigDecimal v = finite(node, path, Units.plain(example), "a number", limit);
            if (v == null) {
                return null;
            }
            String value = shown(((Scalar) node).text());
            String instead = "; write a threshold " + limit.range() + ", e.g. " + Units.plain(example);
            if (limit.tooLow(v)) {
                problem(node.line(), path, value + " is too low: every reading would be a breach" + instead);
                return null;
            }
            if (limit.tooHigh(v)) {
                problem(node.line(), path, value + " is too high: no reading would ever be a breach" + instead);
                return null;
            }
            return v.doubleValue();
        }

        private Double amount(Node node, String path, double example, PackLimits.Limit limit) {
            if (node == null) {
                return null;
            }
            BigDecimal v = finite(node, path, Units.plain(example), "an amount of CNY", limit);
            if (v == null) {
                return null;
            }
            String value = shown(((Scalar) node).text());
            if (limit.tooLow(v)) {
                problem(node.line(), path, value + " is negative; write an amount of 0 or more, e.g. " + Units.plain(example));
                return null;
            }
            if (limit.tooHigh(v)) {
                problem(node.line(), path, value + " is too large; write at most " + limit.maxText() + ", e.g. " + Units.plain(example));
                return null;
            }
            return v.doubleValue();
        }

        private Duration duration(Section s, String key, Duration example, PackLimits.Limit limit) {
            Node node = s.required(key, Units.formatDuration(example));
            return node == null ? null : duration(node, s.child(key), example, limit);
        }

        private Duration duration(Node node, String path, Duration exampleDuration, PackLimits.Limit limit) {
            String example = Units.formatDuration(exampleDuration);
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.TEXT && !isEmpty(node)) {
                String written = sc.text().trim();
                String t = shown(written);
                Duration d = Units.parseDuration(written);
                Duration negated = d == null && written.startsWith("-") ? Units.parseDuration(written.substring(1)) : null;
                if (d != null && !d.isZero() && !limit.tooHigh(BigDecimal.valueOf(d.getSeconds()))) {
                    return d;
                }
                if (d != null && d.isZero() || negated != null && negated.isZero()) {
                    problem(node.line(), path, t + " is zero; write a duration more than zero, e.g. " + example);
                } else if (d != null) {
                    problem(node.line(), path, t + " is too long; write at most " + limit.maxText() + ", e.g. " + example);
                } else if (negated != null) {
                    problem(node.line(), path, t + " is negative; write a duration more than zero, e.g. " + example);
                } else {
                    Duration meant = Units.interpretDuration(written);
                    String instead;
                    if (meant == null) {
                        instead = "a number and a unit (d, h, m or s), e.g. " + example + " or 1h30m";
                    } else if (limit.tooHigh(BigDecimal.valueOf(meant.getSeconds()))) {
                        instead = "at most " + limit.maxText() + ", e.g. " + example;
                    } else {
                        instead = Units.formatDuration(meant);
                    }
                    problem(node.line(), path, quotedText(sc) + " is not a duration; write " + instead);
                }
                return null;
            }
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.INTEGER && sc.text().matches("\\d{1,9}")
                    && !sc.text().matches("0+")) {
                problem(node.line(), path, sc.text() + " has no unit; write e.g. " + sc.text() + "m for minutes or "
                        + sc.text() + "h for hours");
                return null;
            }
            problem(node.line(), path, wrong(node, "a duration") + "; write e.g. " + example);
            return null;
        }

        private Double distance(Section s, String key, double exampleKm) {
            Node node = s.required(key, Units.formatKm(exampleKm));
            return node == null ? null : distance(node, s.child(key), exampleKm, PackLimits.RADIUS);
        }

        private Double distance(Node node, String path, double exampleKm, PackLimits.Limit limit) {
            String example = Units.formatKm(exampleKm);
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.TEXT && !isEmpty(node)) {
                String written = sc.text().trim();
                String t = shown(written);
                BigDecimal km = Units.parseDistanceKm(written);
                BigDecimal negated = km == null && written.startsWith("-")
                        ? Units.parseDistanceKm(written.substring(1)) : null;
                if (km != null && km.signum() > 0 && limit.contains(km)) {
                    return km.doubleValue();
                }
                if (km != null && km.signum() == 0 || negated != null && negated.signum() == 0) {
                    problem(node.line(), path, t + " is zero; write a distance more than zero, e.g. " + example);
                } else if (km != null && limit.tooLow(km)) {
                    problem(node.line(), path, t + " is less than " + limit.minText() + "; write at least "
                            + limit.minText() + ", e.g. " + example);
                } else if (km != null) {
                    problem(node.line(), path, t + " is too far; write at most " + limit.maxText() + ", e.g. " + example);
                } else if (negated != null) {
                    problem(node.line(), path, t + " is negative; write a distance more than zero, e.g. " + example);
                } else {
                    String meant = Units.interpretDistance(written);
                    BigDecimal meantKm = meant == null ? null : Units.parseDistanceKm(meant);
                    problem(node.line(), path, quotedText(sc) + " is not a distance; write "
                            + (meantKm != null && limit.contains(meantKm) ? meant : "a number and km or m, e.g. " + example));
                }
                return null;
            }
            if (node instanceof Scalar sc && (sc.kind() == ScalarKind.INTEGER || sc.kind() == ScalarKind.DECIMAL)) {
                double v = ((Number) sc.value()).doubleValue();
                boolean inRange = Double.isFinite(v) && v > 0 && limit.contains(BigDecimal.valueOf(v));
                problem(node.line(), path, shown(sc.text()) + " has no unit; write "
                        + (inRange ? Units.formatKm(v) : "e.g. " + example));
                return null;
            }
            problem(node.line(), path, wrong(node, "a distance") + "; write e.g. " + example);
            return null;
        }

        private Severity severity(Section s, String key, Severity example) {
            Node node = s.required(key, example.name());
            if (node == null) {
                return null;
            }
            return enumValue(node, s.child(key), Severity.class, "severity");
        }

        /**
         * Call categories written as a list; {@code allowEmpty} for related calls (a hazard may
         * relate to none), not for the categories a rule watches.
         */
        private Set<CallCategory> categoryList(Node node, String path, Set<CallCategory> example, boolean allowEmpty) {
            if (node == null) {
                return null;
            }
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.TEXT && isName(sc.text(), CallCategory.class)) {
                problem(node.line(), path, quotedText(sc) + " is not a list; write [" + sc.text() + "]");
                return null;
            }
            if (!(node instanceof Sequence seq)) {
                problem(node.line(), path, wrong(node, "a list of call categories") + "; write e.g. "
                        + Writer.list(example) + (allowEmpty ? ", or [] for none" : ""));
                return null;
            }
            Set<CallCategory> categories = EnumSet.noneOf(CallCategory.class);
            boolean complete = true;
            for (Node item : seq.items()) {
                CallCategory c = enumValue(item, path, CallCategory.class, "call category");
                if (c == null) {
                    complete = false;
                } else if (!categories.add(c)) {
                    problem(item.line(), path, c + " is listed twice; list it once");
                    complete = false;
                }
            }
            if (complete && categories.isEmpty() && !allowEmpty) {
                problem(node.line(), path, "no categories; the rule could never fire, list at least one"
                        + " (or write enabled: false to turn it off)");
                return null;
            }
            return complete ? categories : null;
        }

        private <E extends Enum<E>> E enumValue(Node node, String path, Class<E> type, String noun) {
            List<String> names = names(type);
            if (node instanceof Scalar sc && sc.kind() == ScalarKind.TEXT && !isEmpty(node)) {
                if (names.contains(sc.text())) {
                    return Enum.valueOf(type, sc.text());
                }
                problem(node.line(), path, quotedText(sc) + " is not a " + noun + "; write one of "
                        + String.join(", ", names) + guess(sc.text(), names));
                return null;
            }
            problem(node.line(), path, wrong(node, "a " + noun) + "; write one of " + String.join(", ", names));
            return null;
        }

        private <E extends Enum<E>> E enumKey(Entry e, String parent, Class<E> type, String noun) {
            List<String> names = names(type);
            if (names.contains(e.key())) {
                return Enum.valueOf(type, e.key());
            }
            problem(e.keyLine(), parent + "." + e.key(), "unknown " + noun + "; write one of "
                    + String.join(", ", names) + guess(e.key(), names));
            return null;
        }

        private Mapping mapping(Node node, String path, String expected) {
            if (node instanceof Mapping m) {
                return m;
            }
            problem(node.line(), path, wrong(node, "a mapping") + "; write " + expected);
            return null;
        }

        /** The keys of one mapping: which are asked for, which are missing, which are unknown. */
        private final class Section {
            final String path;
            final Mapping map;
            final int line;
            final List<String> known = new ArrayList<>();
            final Map<String, String> missing = new LinkedHashMap<>();

            Section(String path, Mapping map, int line) {
                this.path = path;
                this.map = map;
                this.line = line;
            }

            String child(String key) {
                return path(path, key);
            }

            int keyLine(String key) {
                Entry e = map.entries().get(key);
                return e == null ? line : e.keyLine();
            }

            /** The value of a key that must be present, or null (after a problem) when it is missing. */
            Node required(String key, String example) {
                return need(key, "missing; add e.g. " + key + ": " + example);
            }

            /** Like {@link #required}, with the whole message for when the key is missing. */
            Node need(String key, String missing) {
                known.add(key);
                Entry e = map.entries().get(key);
                if (e == null) {
                    this.missing.put(key, missing);
                    return null;
                }
                return e.value();
            }

            Node optional(String key) {
                known.add(key);
                Entry e = map.entries().get(key);
                return e == null ? null : e.value();
            }

            /**
             * Reports the missing keys and the unknown ones; a misspelt key is reported once, as
             * unknown with a suggestion, not again as the key it should have been.
             */
            void finish() {
                for (Entry e : map.entries().values()) {
                    if (!known.contains(e.key())) {
                        String guess = closest(e.key(), known);
                        if (guess != null) {
                            missing.remove(guess);
                        }
                        problem(e.keyLine(), child(e.key()), "unknown key; " + (guess != null
                                ? "did you mean " + guess + "?"
                                : known.size() == 1 ? "write " + known.get(0)
                                : "write one of " + String.join(", ", known)));
                    }
                }
                missing.forEach((key, message) -> problem(line, child(key), message));
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // helpers for messages

    /**
     * The names that unknown keys of the mapping are taken for: a misspelt name is reported once,
     * as unknown with a suggestion, not again as missing.
     */
    private static Set<String> guessed(Mapping map, List<String> names) {
        return map.entries().keySet().stream()
                .filter(k -> !names.contains(k))
                .map(k -> closest(k, names))
                .filter(Objects::nonNull)
                .collect(Collectors.toSet());
    }

    private static boolean anyNull(Object... values) {
        return Arrays.stream(values).anyMatch(Objects::isNull);
    }

    private static boolean isText(Node node) {
        return node instanceof Scalar sc && sc.kind() == ScalarKind.TEXT;
    }

    private static <E extends Enum<E>> boolean isName(String text, Class<E> type) {
        return names(type).contains(text);
    }

    private static <E extends Enum<E>> List<String> names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
    }

    private static String quoted(String s) {
        return "\"" + s + "\"";
    }

    private static String quotedText(Scalar sc) {
        return "'" + shown(sc.text()) + "'";
    }

    /** Values longer than this are shortened in messages: a message names a value, it need not repeat a thousand digits. */
    private static final int SHOWN = 40;

    /** The value as a message shows it: as written, or its start and its length when it is long. */
    private static String shown(String written) {
        return written.length() <= SHOWN ? written : written.substring(0, 20) + "… (" + written.length() + " characters)";
    }

    /** The start of a message about a value of the wrong type: "no value", or "'x' is not a duration". */
    private static String wrong(Node node, String expected) {
        return isEmpty(node) ? "no value" : describe(node) + " is not " + expected;
    }

    private static boolean isEmpty(Node node) {
        return node instanceof Scalar sc && (sc.kind() == ScalarKind.NULL || sc.kind() == ScalarKind.TEXT && sc.text().isBlank());
    }

    /** How a wrongly typed value is named in a message. */
    private static String describe(Node node) {
        if (node instanceof Mapping) {
            return "a mapping";
        }
        if (node instanceof Sequence) {
            return "a list";
        }
        Scalar sc = (Scalar) node;
        return switch (sc.kind()) {
            case TEXT -> quotedText(sc);
            case NULL -> "no value";
            default -> shown(sc.text());
        };
    }

    private static String guess(String written, List<String> candidates) {
        String g = closest(written, candidates);
        return g == null ? "" : " (did you mean " + g + "?)";
    }

    /**
     * The candidate nearest to what was written, when it is near enough to be a slip: same
     * letters in another case, or at most a third of its length in edits (at most 3).
     */
    static String closest(String written, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = c.equalsIgnoreCase(written) ? 0 : editDistance(written.toLowerCase(Locale.ROOT),
                    c.toLowerCase(Locale.ROOT));
            int allowed = Math.min(3, Math.max(1, c.length() / 3));
            if (d <= allowed && d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    // ------------------------------------------------------------------------------------------
    // writing

    /** Writes packs in the same shape as the default file, without its commentary. */
    private static final class Writer {

        static String write(RulePack p) {
            Objects.requireNonNull(p.hazards(), "hazards");
            RulePack.Cascade cascade = Objects.requireNonNull(p.cascade(), "cascade");
            RulePack.Spread spread = Objects.requireNonNull(p.spread(), "spread");
            RulePack.Cluster cluster = Objects.requireNonNull(p.cluster(), "cluster");
            RulePack.Link link = Objects.requireNonNull(p.link(), "link");
            RulePack.Burst burst = Objects.requireNonNull(p.burst(), "burst");
            RulePack.Escalation escalation = Objects.requireNonNull(p.escalation(), "escalation");
            StringBuilder y = new StringBuilder();
            y.append("# Rule pack written by RulePackFile.toYaml; config/rules/yrd-default.yaml explains every key.\n");
            y.append("id: ").append(string(p.id())).append('\n');
            y.append("version: ").append(string(p.version())).append('\n');
            y.append("hazards:\n");
            for (SensorKind kind : SensorKind.values()) {
                RulePack.Hazard h = p.hazards().get(kind);
                if (h != null) {
                    y.append("  ").append(kind.name()).append(": ").append(hazard(h)).append('\n');
                }
            }
            y.append("rules:\n");
            rule(y, "INC-CASCADE", cascade.enabled(),
                    "radius", Units.formatKm(cascade.radiusKm()),
                    "window", duration(cascade.window()),
                    "minCalls", cascade.minCalls(),
                    "severity", cascade.severity(),
                    "crossProvinceSeverity", cascade.crossProvinceSeverity());
            rule(y, "INC-SPREAD", spread.enabled(),
                    "radius", Units.formatKm(spread.radiusKm()),
                    "window", duration(spread.window()),
                    "minProvinces", spread.minProvinces(),
                    "severity", spread.severity());
            rule(y, "INC-CLUSTER", cluster.enabled(),
                    "categories", categories(cluster.categories()),
                    "radius", Units.formatKm(cluster.radiusKm()),
                    "window", duration(cluster.window()),
                    "minCalls", cluster.minCalls(),
                    "minProvinces", cluster.minProvinces(),
                    "severity", cluster.severity());
            rule(y, "CYB-LINK", link.enabled(),
                    "liveFor", duration(link.liveness()),
                    "minProvinces", link.minProvinces(),
                    "criticalLossCny", Units.plain(link.criticalLossCny()),
                    "severity", link.severity(),
                    "criticalSeverity", link.criticalSeverity());
            rule(y, "CYB-BURST", burst.enabled(),
                    "quietGap", duration(burst.quietGap()),
                    "minReports", burst.minReports(),
                    "severity", burst.severity());
            rule(y, "ESC-ACK", escalation.enabled(),
                    "sla", sla(Objects.requireNonNull(escalation.sla(), "sla")));
            if (!p.patterns().isEmpty()) {
                y.append("patterns:\n");
                for (PatternRule pattern : p.patterns()) {
                    pattern(y, pattern);
                }
            }
            return y.toString();
        }

        private static void pattern(StringBuilder y, PatternRule p) {
            y.append("  - id: ").append(string(p.id())).append('\n');
            if (p.description() != null) {
                y.append("    description: ").append(string(p.description())).append('\n');
            }
            y.append("    severity: ").append(p.severity()).append('\n');
            y.append("    key: ").append(p.key().kind() == PatternRule.KeyKind.GRID
                    ? "grid(" + Units.formatKm(p.key().km()) + ")" : p.key().kind().name().toLowerCase(Locale.ROOT)).append('\n');
            y.append("    within: ").append(duration(p.within())).append('\n');
            y.append("    steps:\n");
            for (PatternRule.Step s : p.steps()) {
                List<String> parts = new ArrayList<>();
                parts.add(CONTIGUITY_KEYS.get(s.contiguity().ordinal()) + ": " + string(s.name()));
                parts.add("stream: " + s.stream());
                String where = where(s.where());
                if (!where.isEmpty()) {
                    parts.add("where: {" + where + "}");
                }
                if (s.near() != null) {
                    parts.add("near: {step: " + string(s.near().step()) + ", within: " + Units.formatKm(s.near().km()) + "}");
                }
                if (s.times() != 1 || s.orMore()) {
                    parts.add("times: " + (s.orMore() ? "{atLeast: " + s.times() + "}" : s.times()));
                }
                y.append("      - {").append(String.join(", ", parts)).append("}\n");
            }
            if (p.afterMatch() != PatternRule.AfterMatch.SKIP_PAST_LAST_EVENT) {
                y.append("    afterMatch: ").append(AFTER_MATCH.get(p.afterMatch().ordinal())).append('\n');
            }
            if (p.minProvinces() != 1) {
                y.append("    provinces: {atLeast: ").append(p.minProvinces()).append("}\n");
            }
            if (p.summary() != null) {
                y.append("    summary: ").append(string(p.summary())).append('\n');
            }
        }

        private static String where(PatternRule.Where w) {
            List<String> parts = new ArrayList<>();
            names(parts, "kind", w.kinds());
            range(parts, "value", w.value());
            names(parts, "category", w.categories());
            names(parts, "fraudType", w.fraudTypes());
            range(parts, "amountCny", w.amountCny());
            names(parts, "city", w.cities());
            names(parts, "province", w.provinces());
            return String.join(", ", parts);
        }

        private static void names(List<String> parts, String key, Set<?> values) {
            if (!values.isEmpty()) {
                parts.add(key + ": " + values.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]")));
            }
        }

        private static void range(List<String> parts, String key, PatternRule.Range r) {
            if (r != null) {
                List<String> bounds = new ArrayList<>();
                if (r.atLeast() != null) {
                    bounds.add("atLeast: " + Units.plain(r.atLeast()));
                }
                if (r.atMost() != null) {
                    bounds.add("atMost: " + Units.plain(r.atMost()));
                }
                parts.add(key + ": {" + String.join(", ", bounds) + "}");
            }
        }

        private static void rule(StringBuilder y, String id, boolean enabled, Object... keysAndValues) {
            y.append("  ").append(id).append(":\n");
            y.append("    enabled: ").append(enabled).append('\n');
            for (int i = 0; i < keysAndValues.length; i += 2) {
                y.append("    ").append(keysAndValues[i]).append(": ").append(keysAndValues[i + 1]).append('\n');
            }
        }

        static String hazard(RulePack.Hazard h) {
            return "{threshold: " + Units.plain(h.threshold()) + ", unit: " + string(h.unit())
                    + ", relatedCalls: " + list(h.relatedCalls()) + "}";
        }

        static String list(Set<CallCategory> categories) {
            return categories.stream().sorted().map(Enum::name).collect(Collectors.joining(", ", "[", "]"));
        }

        /** The shorter of the two spellings: the categories, or all except the others. */
        static String categories(Set<CallCategory> categories) {
            if (categories.isEmpty()) {
                return "[]";
            }
            Set<CallCategory> others = EnumSet.complementOf(EnumSet.copyOf(categories));
            return others.isEmpty() || others.size() >= categories.size()
                    ? list(categories) : "{allExcept: " + list(others) + "}";
        }

        static String sla(Map<Severity, Duration> sla) {
            return new EnumMap<>(sla).entrySet().stream()
                    .map(e -> e.getKey().name() + ": " + duration(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }

        private static String duration(Duration d) {
            return Units.writable(d) ? Units.formatDuration(d) : string(d.toString());
        }

        /** A double-quoted YAML string (JSON's escapes are a subset of YAML's). */
        static String string(String s) {
            return s == null ? "null" : "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
        }
    }
}
