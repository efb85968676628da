package org.yrd.linkage.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yrd.linkage.model.DeadLetter.Reason;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.FinalAlerts;
import org.yrd.linkage.testing.Project;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replay under fuzzing: mutated copies of valid records of the four streams (fields dropped,
 * retyped, stretched, nested deep; invalid UTF-8; numbers out of range; ts far ahead and far
 * back; duplicates and harmless extras) mixed into a generated case. The job finishes; every
 * mutated line that breaks the contract is dead-lettered with the reason it deserves and its
 * {@code file:line}; the rest are harmless; no valid line of the case is dead-lettered; and the
 * final alerts are exactly the case's. Seeded and bounded (a few hundred mutants): the same run
 * every time; {@code -Dfuzz.seed=N} explores another.
 */
class ReplayFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    private static final long YEAR = 365L * 24 * 3600 * 1000;
    /** Mutants stay out of the last lines of a file, where a jump has too few records after it to be judged. */
    private static final int TAIL = 12;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static final Map<StreamKind, List<String>> REQUIRED = Map.of(
            StreamKind.SENSOR, List.of("id", "sensorId", "kind", "value", "ts", "lat", "lon"),
            StreamKind.CALL, List.of("id", "ts", "lat", "lon", "category"),
            StreamKind.FRAUD, List.of("id", "ts", "cityCode", "fraudType", "amountCny", "identifiers"),
            StreamKind.ACK, List.of("alertId", "province", "ts", "status"));
    private static final Map<StreamKind, List<String>> OPTIONAL = Map.of(
            StreamKind.SENSOR, List.of("unit", "cityCode"),
            StreamKind.CALL, List.of("cityCode", "callerHash", "text"),
            StreamKind.FRAUD, List.of(),
            StreamKind.ACK, List.of("operator"));

    /** A mutated line and the dead-letter reason it must get; null: harmless, it may pass or be dead-lettered. */
    private record Mutant(byte[] line, Reason must, String what) {}

    /** One way of mutating a valid record; {@code must} is null for a harmless one. */
    private record Mutation(String name, Reason must, BiFunction<Original, Random, byte[]> apply) {}

    private record Original(StreamKind stream, String line, ObjectNode json) {
        ObjectNode copy() {
            return json.deepCopy();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] withRawNumber(ObjectNode node, String field, String numberText) {
        node.put(field, "@@number@@");
        return utf8(node.toString().replace("\"@@number@@\"", numberText));
    }

    private static <T> T pick(List<T> list, Random r) {
        return list.get(r.nextInt(list.size()));
    }

    private static JsonNode junk(Random r, int depth) {
        return switch (depth <= 0 ? r.nextInt(4) : r.nextInt(6)) {
            case 0 -> JSON.getNodeFactory().textNode("河道水位 🌊 " + Long.toHexString(r.nextLong()));
            case 1 -> JSON.getNodeFactory().numberNode(r.nextGaussian() * 1e300);
            case 2 -> JSON.getNodeFactory().booleanNode(r.nextBoolean());
            case 3 -> JSON.getNodeFactory().nullNode();
            case 4 -> {
                ArrayNode a = JSON.createArrayNode();
                for (int i = r.nextInt(4); i >= 0; i--) {
                    a.add(junk(r, depth - 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = JSON.createObjectNode();
                for (int i = r.nextInt(4); i >= 0; i--) {
                    o.set("k" + i, junk(r, depth - 1));
                }
                yield o;
            }
        };
    }

    private static final List<Mutation> MUTATIONS = List.of(
            new Mutation("required field dropped", Reason.SCHEMA, (o, r) -> {
                ObjectNode n = o.copy();
                n.remove(pick(REQUIRED.get(o.stream()), r));
                return utf8(n.toString());
            }),
            new Mutation("required field retyped", Reason.SCHEMA, (o, r) -> {
                ObjectNode n = o.copy();
                String field = pick(REQUIRED.get(o.stream()), r);
                JsonNode was = n.get(field);
                List<JsonNode> wrong = new ArrayList<>(List.of(JSON.getNodeFactory().nullNode(), JSON.getNodeFactory().booleanNode(true),
                        JSON.createArrayNode().add(was), JSON.createObjectNode().set("v", was)));
                wrong.add(was.isTextual() ? JSON.getNodeFactory().numberNode(42) : JSON.getNodeFactory().textNode(was.asText()));
                n.set(field, pick(wrong, r));
                return utf8(n.toString());
            }),
            new Mutation("id far beyond its maximum length", Reason.SCHEMA, (o, r) -> {
                ObjectNode n = o.copy();
                n.put(o.stream() == StreamKind.ACK ? "alertId" : "id", "长".repeat(300 + r.nextInt(30_000)));
                return utf8(n.toString());
            }),
            new Mutation("nested deeper than any record needs", Reason.MALFORMED_JSON, (o, r) -> {
                int depth = 40 + r.nextInt(5000);
                ObjectNode n = o.copy();
                n.put("nested", "@@deep@@");
                return utf8(n.toString().replace("\"@@deep@@\"", "[".repeat(depth) + "]".repeat(depth)));
            }),
            new Mutation("invalid UTF-8", Reason.MALFORMED_JSON, (o, r) -> {
                byte[] line = utf8(o.line());
                byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80}};
                byte[] b = bad[r.nextInt(bad.length)];
                int at = 1 + r.nextInt(line.length - 1);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(line, 0, at);
                out.writeBytes(b);
                out.write(line, at, line.length - at);
                return out.toByteArray();
            }),
            new Mutation("number out of range", Reason.SCHEMA, (o, r) -> {
                ObjectNode n = o.copy();
                List<String[]> choices = new ArrayList<>(List.of(
                        new String[] {"ts", "-1"}, new String[] {"ts", "-1000000000000000"}, new String[] {"ts", "1.5"},
                        new String[] {"ts", "1e20"}, new String[] {"ts", "9223372036854775808"}));
                switch (o.stream()) {
                    case SENSOR -> choices.addAll(List.of(new String[] {"value", "1e400"}, new String[] {"lat", "90.000001"},
                            new String[] {"lon", "-180.5"}, new String[] {"lat", "1e6"}));
                    case CALL -> choices.addAll(List.of(new String[] {"lat", "-91"}, new String[] {"lon", "181"}));
                    case FRAUD -> choices.addAll(List.of(new String[] {"amountCny", "-0.01"}, new String[] {"amountCny", "-1e400"}));
                    default -> { }
                }
                String[] c = pick(choices, r);
                return withRawNumber(n, c[0], c[1]);
            }),
            new Mutation("truncated", Reason.MALFORMED_JSON, (o, r) -> utf8(o.line().substring(0, 1 + r.nextInt(o.line().length() - 1)))),
            new Mutation("not one JSON object", Reason.MALFORMED_JSON, (o, r) -> utf8(r.nextBoolean() ? "[" + o.line() + "]" : o.line() + o.line())),
            new Mutation("ts years ahead", Reason.FUTURE, (o, r) -> {
                ObjectNode n = o.copy();
                long ts = n.get("ts").asLong();
                n.put("ts", r.nextInt(5) == 0 ? Long.MAX_VALUE : ts + 2 * YEAR + (long) (r.nextDouble() * 1000 * YEAR));
                return utf8(n.toString());
            }),
            new Mutation("ts far back", Reason.LATE, (o, r) -> {
                ObjectNode n = o.copy();
                n.put("ts", r.nextInt(5) == 0 ? 0 : (long) (r.nextDouble() * (n.get("ts").asLong() - 30 * 24 * 3600 * 1000L)));
                return utf8(n.toString());
            }),
            new Mutation("repeated as it was", null, (o, r) -> utf8(o.line())),
            new Mutation("unknown fields added", null, (o, r) -> {
                ObjectNode n = o.copy();
                for (int i = r.nextInt(3); i >= 0; i--) {
                    n.set("x-" + Integer.toHexString(r.nextInt()), junk(r, 1 + r.nextInt(8)));
                }
                if (r.nextInt(4) == 0) {
                    n.put("padding", "字".repeat(r.nextInt(100_000)));
                }
                return utf8(n.toString());
            }),
            new Mutation("fields reordered, spaced out", null, (o, r) -> {
                List<String> names = new ArrayList<>();
                o.json().fieldNames().forEachRemaining(names::add);
                java.util.Collections.shuffle(names, r);
                ObjectNode n = JSON.createObjectNode();
                names.forEach(f -> n.set(f, o.json().get(f)));
                return utf8(" " + n.toString().replace(",\"", " , \"").replace("\":", "\" : ") + "\t");
            }),
            new Mutation("optional field dropped", null, (o, r) -> {
                ObjectNode n = o.copy();
                if (!OPTIONAL.get(o.stream()).isEmpty()) {
                    n.remove(pick(OPTIONAL.get(o.stream()), r));
                }
                return utf8(n.toString());
            }));

    private static Path caseDir() {
        return Project.root().resolve("tools/oracle/cases/gen-b");
    }

    /** The source (file:line) of every dead letter of a replay's output. */
    private static Map<String, String> deadLetterReasons(Path out) {
        Map<String, String> bySource = new TreeMap<>();
        for (JsonNode d : FinalAlerts.lines(out.resolve(Replay.DEAD_LETTERS_FILE))) {
            String previous = bySource.put(d.get("source").asText(), d.get("reason").asText());
            assertThat(previous).as("one dead letter per line: " + d).isNull();
            assertThat(d.get("raw").asText()).as("raw text is masked and cut: " + d.get("source"))
                    .hasSizeLessThanOrEqualTo(4096).doesNotContainPattern("[0-9]{11}");
        }
        return bySource;
    }

    @Test
    void mutatedRecordsOfEveryStreamAreDeadLetteredOrHarmlessAndTheValidRecordsGiveTheSameFinalAlerts() throws Exception {
        Path cleanOut = tmp.resolve("clean-out");
        Replay.run(Replay.inputs(caseDir()), cleanOut, RulePack.defaults(), Replay.configuration(2, new Configuration()));
        Map<String, String> clean = deadLetterReasons(cleanOut);

        Random random = new Random(SEED);
        Path in = Files.createDirectories(tmp.resolve("fuzzed-in"));
        Map<String, Mutant> mutants = new HashMap<>();
        Map<String, String> cleanMoved = new HashMap<>();
        for (Map.Entry<StreamKind, Path> f : Replay.inputs(caseDir()).entrySet()) {
            String file = f.getValue().getFileName().toString();
            List<String> lines = Files.readAllLines(f.getValue(), StandardCharsets.UTF_8);
            List<Integer> valid = new ArrayList<>();
            for (int i = 0; i < lines.size() - TAIL; i++) {
                if (!clean.containsKey(file + ":" + (i + 1))) {
                    valid.add(i);
                }
            }
            // after which original line each mutant goes: a little after the record it copies
            Map<Integer, List<Mutant>> after = new HashMap<>();
            int count = Math.max(12, lines.size() / 25);
            for (int k = 0; k < count; k++) {
                int i = pick(valid, random);
                Original o = new Original(f.getKey(), lines.get(i), (ObjectNode) JSON.readTree(lines.get(i)));
                Mutation m = pick(MUTATIONS, random);
                int at = Math.min(i + random.nextInt(16), lines.size() - TAIL - 1);
                after.computeIfAbsent(at, x -> new ArrayList<>()).add(new Mutant(m.apply().apply(o, random), m.must(), m.name()));
            }
            if (f.getKey() == StreamKind.SENSOR) {
                int i = pick(valid, random);
                after.computeIfAbsent(i, x -> new ArrayList<>()).add(new Mutant(
                        utf8(lines.get(i).replaceFirst("\\{", "{\"padding\":\"" + "x".repeat(1_100_000) + "\",")), Reason.SCHEMA, "over 1 MiB"));
            }
            int lineNo = 0;
            try (OutputStream out = Files.newOutputStream(in.resolve(file))) {
                for (int i = 0; i < lines.size(); i++) {
                    out.write(utf8(lines.get(i) + "\n"));
                    lineNo++;
                    if (clean.containsKey(file + ":" + (i + 1))) {
                        cleanMoved.put(file + ":" + lineNo, clean.get(file + ":" + (i + 1)));
                    }
                    for (Mutant m : after.getOrDefault(i, List.of())) {
                        out.write(m.line());
                        out.write('\n');
                        lineNo++;
                        mutants.put(file + ":" + lineNo, m);
                    }
                }
            }
        }
        assertThat(cleanMoved).hasSameSizeAs(clean);
        assertThat(mutants).hasSizeGreaterThan(200);

        Path out = tmp.resolve("fuzzed-out");
        Replay.run(Replay.inputs(in), out, RulePack.defaults(), Replay.configuration(2, new Configuration()));

        assertThat(FinalAlerts.ofAlertsFile(out.resolve(Replay.ALERTS_FILE))).as("seed " + SEED)
                .isEqualTo(FinalAlerts.ofExpectedFile(caseDir().resolve("expected-final-alerts.jsonl")));
        Map<String, String> dead = deadLetterReasons(out);
        Set<String> unexplained = new HashSet<>(dead.keySet());
        unexplained.removeAll(cleanMoved.keySet());
        unexplained.removeAll(mutants.keySet());
        assertThat(unexplained).as("seed " + SEED + ": dead letters of valid lines of the case").isEmpty();
        for (Map.Entry<String, String> c : cleanMoved.entrySet()) {
            assertThat(dead.get(c.getKey())).as("seed " + SEED + ": the case's own bad line " + c.getKey()).isEqualTo(c.getValue());
        }
        for (Map.Entry<String, Mutant> m : mutants.entrySet()) {
            if (m.getValue().must() != null) {
                assertThat(dead.get(m.getKey())).as("seed " + SEED + ": " + m.getKey() + " (" + m.getValue().what() + ")")
                        .isEqualTo(m.getValue().must().name());
            }
        }
    }
}
