package org.yrd.linkage.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.testing.ContractSchema;
import org.yrd.linkage.testing.FinalAlert;
import org.yrd.linkage.testing.FinalAlerts;
import org.yrd.linkage.testing.Project;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replay end to end on a real Flink MiniCluster: the worked example and the generated cases give
 * exactly their expected final alerts, the same revisions, dead letters and feedback at
 * parallelism 1 and 2 and with the state on the heap or in RocksDB, and every record written
 * matches the contract schemas.
 */
class ReplayEndToEndTest {

    @TempDir
    Path tmp;

    private Path replay(Path in, int parallelism) throws Exception {
        Path out = tmp.resolve(in.getFileName() + "-p" + parallelism);
        Replay.run(Replay.inputs(in), out, RulePack.defaults(), Replay.configuration(parallelism, new Configuration()));
        return out;
    }

    /** As {@link #replay(Path, int)} with the state in RocksDB, which these small cases would otherwise keep on the heap. */
    private Path replayInRocksDb(Path in, int parallelism) throws Exception {
        Path out = tmp.resolve(in.getFileName() + "-rocksdb-p" + parallelism);
        Configuration overrides = new Configuration();
        overrides.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        Replay.run(Replay.inputs(in), out, RulePack.defaults(), Replay.configuration(parallelism, overrides));
        return out;
    }

    private static Path caseDir(String name) {
        return name.equals("small") ? Project.example("small").resolve("in")
                : Project.root().resolve("tools/oracle/cases").resolve(name);
    }

    private static Path expected(String name) {
        return name.equals("small") ? Project.example("small").resolve("expected-final-alerts.jsonl")
                : caseDir(name).resolve("expected-final-alerts.jsonl");
    }

    /** The same at parallelism 1 and 2, with the state on the heap and in RocksDB: every revision, dead letter and feedback record. */
    @ParameterizedTest
    @ValueSource(strings = {"small", "gen-a", "gen-b"})
    void replayGivesExactlyTheExpectedFinalAlertsAtParallelismOneAndTwoWithEitherStateBackend(String name) throws Exception {
        Path p1 = replay(caseDir(name), 1);
        Path p2 = replay(caseDir(name), 2);
        Path rocks = replayInRocksDb(caseDir(name), 2);
        Map<String, FinalAlert> want = FinalAlerts.ofExpectedFile(expected(name));
        for (Path out : List.of(p1, p2, rocks)) {
            assertThat(FinalAlerts.ofAlertsFile(out.resolve(Replay.ALERTS_FILE))).as(out.getFileName().toString()).isEqualTo(want);
            if (out != p1) {
                assertThat(revisionsWithoutWallClock(out)).isEqualTo(revisionsWithoutWallClock(p1));
                assertThat(deadLetters(out)).isEqualTo(deadLetters(p1));
                assertThat(sortedLines(out.resolve(Replay.FEEDBACK_FILE))).as("rule feedback, record for record")
                        .isNotEmpty().isEqualTo(sortedLines(p1.resolve(Replay.FEEDBACK_FILE)));
            }
        }
    }

    private static List<String> sortedLines(Path file) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        Collections.sort(lines);
        return lines;
    }

    /**
     * Pacing the files (ReadPacing) changes when lines are read, never what comes out: the same
     * revisions and dead letters with the tightest pacing as with none, also when a file ends long
     * before the others (it must stop holding them back) and one starts with a line stamped years
     * ahead (it must not pause its file until the others end).
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void pacingTheFilesChangesNoRevisionNorDeadLetter() throws Exception {
        Path gen = caseDir("gen-a");
        Path in = Files.createDirectories(tmp.resolve("paced-in"));
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.FRAUD)) {
            Files.copy(gen.resolve(s.baseName() + ".jsonl"), in.resolve(s.baseName() + ".jsonl"));
        }
        List<String> calls = Files.readAllLines(gen.resolve("emergency-calls.jsonl"));
        Files.write(in.resolve("emergency-calls.jsonl"), calls.subList(0, calls.size() / 10));
        List<String> acks = new ArrayList<>(Files.readAllLines(gen.resolve("alert-acks.jsonl")));
        acks.add(0, acks.get(0).replaceFirst("\"ts\":[0-9]+", "\"ts\":1893456000000"));
        Files.write(in.resolve("alert-acks.jsonl"), acks);

        Path none = replay(in, "unpaced", 2, "0");
        Path tight = replay(in, "paced", 2, "1ms");
        assertThat(revisionsWithoutWallClock(none)).hasSizeGreaterThan(10);
        assertThat(revisionsWithoutWallClock(tight)).isEqualTo(revisionsWithoutWallClock(none));
        assertThat(deadLetters(tight)).isEqualTo(deadLetters(none)).anyMatch(d -> d.startsWith("ACK FUTURE"));
    }

    private Path replay(Path in, String name, int parallelism, String readDrift) throws Exception {
        Path out = tmp.resolve(name + "-p" + parallelism);
        Configuration overrides = new Configuration();
        overrides.setString(EngineOptions.REPLAY_READ_DRIFT.key(), readDrift);
        Replay.run(Replay.inputs(in), out, RulePack.defaults(), Replay.configuration(parallelism, overrides));
        return out;
    }

    @Test
    void workedExampleDeadLettersFifteenLinesAndEveryOutputMatchesItsSchema() throws Exception {
        Path out = replay(caseDir("small"), 2);
        assertThat(deadLetters(out)).hasSize(15);
        JsonSchema alertSchema = ContractSchema.of("alert.schema.json");
        for (JsonNode alert : FinalAlerts.lines(out.resolve(Replay.ALERTS_FILE))) {
            assertThat(alertSchema.validate(alert)).as(alert.toString()).isEmpty();
        }
        for (JsonNode d : FinalAlerts.lines(out.resolve(Replay.DEAD_LETTERS_FILE))) {
            assertThat(d.get("stream").asText()).isIn("SENSOR", "CALL", "FRAUD", "ACK", "RULE");
            assertThat(d.get("reason").asText()).isIn("MALFORMED_JSON", "SCHEMA", "OUT_OF_REGION", "UNKNOWN_CITY", "LATE", "FUTURE", "FORBIDDEN");
            assertThat(d.get("raw").asText().length()).isLessThanOrEqualTo(4096);
            assertThat(d.get("at").asLong()).isPositive();
            // the dead letter names the file and line it came from, and that line is the record's
            String[] source = d.get("source").asText().split(":");
            assertThat(source[0]).isEqualTo(StreamKind.valueOf(d.get("stream").asText()).baseName() + ".jsonl");
            List<String> lines = java.nio.file.Files.readAllLines(caseDir("small").resolve(source[0]));
            int line = Integer.parseInt(source[1]);
            assertThat(line).isBetween(1, lines.size());
            String raw = d.get("raw").asText();
            String head = raw.substring(0, Math.min(raw.length(), 12));
            if (!head.contains("*")) {
                assertThat(lines.get(line - 1)).startsWith(head);
            }
        }
    }

    @Test
    void ruleFeedbackCountsEveryAlertSentToAProvinceAndEveryConfirmationOfOne() throws Exception {
        Path out = replay(caseDir("small"), 2);
        long sent = 0;
        java.util.Set<String> delivered = new java.util.HashSet<>();
        for (FinalAlert a : FinalAlerts.ofExpectedFile(expected("small")).values()) {
            if (!a.ruleId().equals("ESC-ACK")) {
                sent += a.recipients().size();
                a.recipients().forEach(p -> delivered.add(a.alertId() + "|" + p));
            }
        }
        java.util.Set<String> confirmed = new java.util.HashSet<>();
        for (JsonNode ack : FinalAlerts.lines(caseDir("small").resolve("alert-acks.jsonl"))) {
            String key = ack.get("alertId").asText() + "|" + ack.get("province").asText();
            if (ack.get("status").asText().equals("CONFIRMED") && delivered.contains(key)) {
                confirmed.add(key);
            }
        }
        java.util.Map<String, JsonNode> latest = new java.util.HashMap<>();
        for (JsonNode f : FinalAlerts.lines(out.resolve(Replay.FEEDBACK_FILE))) {
            latest.put(f.get("ruleId").asText() + "|" + f.get("hourStart").asLong(), f);
        }
        long alerts = 0;
        long confirmations = 0;
        for (JsonNode f : latest.values()) {
            alerts += f.get("alerts").asLong();
            confirmations += f.get("confirmed").asLong();
        }
        assertThat(alerts).isEqualTo(sent);
        assertThat(confirmations).isEqualTo(confirmed.size()).isPositive();
    }

    @Test
    void capOptionWritesOneValidCap12DocumentPerAlertRecord() throws Exception {
        Path out = tmp.resolve("cap-out");
        Replay.run(Replay.inputs(caseDir("small")), out, RulePack.defaults(), Replay.configuration(2, new Configuration()), true);
        javax.xml.validation.Validator validator = javax.xml.validation.SchemaFactory
                .newInstance(javax.xml.XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(Project.root().resolve("config/cap/CAP-v1.2.xsd").toFile()).newValidator();
        List<Path> docs;
        try (var files = Files.list(out.resolve(Replay.CAP_DIR))) {
            docs = files.toList();
        }
        assertThat(docs).hasSize(FinalAlerts.lines(out.resolve(Replay.ALERTS_FILE)).size());
        for (Path doc : docs) {
            assertThat(doc.getFileName().toString()).matches("[A-Za-z0-9._-]+_[0-9]+_([0-9]{6}|YRD)\\.xml");
            validator.validate(new javax.xml.transform.stream.StreamSource(doc.toFile()));
        }
    }

    @Test
    void hostileLinesAreAllDeadLetteredAndChangeNoAlert() throws Exception {
        Path base = caseDir("gen-b");
        Path in = Files.createDirectories(tmp.resolve("hostile-in"));
        for (StreamKind s : Replay.inputs(base).keySet()) {
            Files.copy(base.resolve(s.baseName() + ".jsonl"), in.resolve(s.baseName() + ".jsonl"));
        }
        int added = 0;
        Path hostile = Project.root().resolve("common/src/test/resources/hostile");
        String[][] files = {{"sensor", "sensor-readings"}, {"call", "emergency-calls"}, {"fraud", "fraud-reports"}, {"ack", "alert-acks"}};
        for (String[] f : files) {
            byte[] lines = Files.readAllBytes(hostile.resolve(f[0] + "-hostile.jsonl"));
            append(in.resolve(f[1] + ".jsonl"), lines);
            added += count(lines);
        }
        try (OutputStream o = Files.newOutputStream(in.resolve("sensor-readings.jsonl"), StandardOpenOption.APPEND)) {
            o.write(new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
            o.write(("{\"id\":\"big\",\"pad\":\"" + "x".repeat(10 << 20) + "\"}\n").getBytes(StandardCharsets.UTF_8));
            o.write("{\"id\":\"far\",\"sensorId\":\"x\",\"kind\":\"GAS\",\"value\":99,\"ts\":1785600000000,\"lat\":39.9,\"lon\":116.4}\n".getBytes(StandardCharsets.UTF_8));
            o.write("{\"id\":\"nocity\",\"sensorId\":\"y\",\"kind\":\"GAS\",\"value\":99,\"ts\":1785600000000,\"lat\":31.2,\"lon\":121.4,\"cityCode\":\"110101\"}\n".getBytes(StandardCharsets.UTF_8));
            // a line of 1 MiB of digits, the most a record may have
            o.write(("7".repeat(1 << 20) + "\n").getBytes(StandardCharsets.UTF_8));
            added += 5;
        }
        try (OutputStream o = Files.newOutputStream(in.resolve("emergency-calls.jsonl"), StandardOpenOption.APPEND)) {
            // QA's record: an invalid category and 200,000 digits of text (once a stack overflow that failed the job)
            o.write(("{\"id\":\"qa\",\"ts\":1785600000000,\"lat\":31.2,\"lon\":121.4,\"category\":\"NOT_A_CATEGORY\",\"text\":\""
                    + "1".repeat(200_000) + "\"}\n").getBytes(StandardCharsets.UTF_8));
            added += 1;
        }
        Path out = replay(in, 2);
        Path clean = replay(base, 2);
        assertThat(FinalAlerts.ofAlertsFile(out.resolve(Replay.ALERTS_FILE))).isEqualTo(FinalAlerts.ofExpectedFile(expected("gen-b")));
        assertThat(deadLetters(out)).hasSize(deadLetters(clean).size() + added);
        String deadLetterText = Files.readString(out.resolve(Replay.DEAD_LETTERS_FILE));
        assertThat(deadLetterText).contains("\"reason\":\"OUT_OF_REGION\"").contains("\"reason\":\"UNKNOWN_CITY\"");
        assertThat(deadLetterText).doesNotContain("13912345678");
        for (JsonNode d : FinalAlerts.lines(out.resolve(Replay.DEAD_LETTERS_FILE))) {
            assertThat(d.get("raw").asText()).as(d.toString()).doesNotContainPattern("[0-9]{6}");
        }
    }

    private static void append(Path file, byte[] lines) throws IOException {
        try (OutputStream o = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
            o.write(lines);
            if (lines.length > 0 && lines[lines.length - 1] != '\n') {
                o.write('\n');
            }
        }
    }

    private static int count(byte[] lines) {
        int n = 0;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i] == '\n' || i == lines.length - 1) {
                n++;
            }
        }
        return n;
    }

    private static List<String> revisionsWithoutWallClock(Path out) {
        List<String> lines = new ArrayList<>();
        for (JsonNode r : FinalAlerts.lines(out.resolve(Replay.ALERTS_FILE))) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) r).remove("emittedAt");
            lines.add(r.toString());
        }
        Collections.sort(lines);
        return lines;
    }

    private static List<String> deadLetters(Path out) {
        List<String> lines = new ArrayList<>();
        for (JsonNode d : FinalAlerts.lines(out.resolve(Replay.DEAD_LETTERS_FILE))) {
            lines.add(d.get("stream").asText() + " " + d.get("reason").asText() + " " + d.get("raw").asText());
        }
        Collections.sort(lines);
        return lines;
    }
}
