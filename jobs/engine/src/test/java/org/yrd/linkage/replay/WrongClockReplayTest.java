package org.yrd.linkage.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.FinalAlerts;
import org.yrd.linkage.testing.Project;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replay with producers' clocks gone wrong (contracts/README.md, "Wire format"): one record per
 * stream stamped years ahead, in the middle of its file, is a FUTURE dead letter naming its line,
 * and changes nothing else: the final alerts and the other dead letters are exactly those of the
 * clean run, at parallelism 1 and 2. Without the guard, the first such record made every record
 * after it in its file LATE.
 */
class WrongClockReplayTest {

    private static final long YEAR = 365L * 24 * 3600 * 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Path caseDir(String name) {
        return name.equals("small") ? Project.example("small").resolve("in") : Project.root().resolve("tools/oracle/cases").resolve(name);
    }

    private static Path expected(String name) {
        return name.equals("small") ? Project.example("small").resolve("expected-final-alerts.jsonl")
                : caseDir(name).resolve("expected-final-alerts.jsonl");
    }

    /** A record of the stream that would count if its time were real: a breach, a fire call, a report, an ack. */
    private static String stampedAhead(StreamKind stream, long cleanTs) {
        return switch (stream) {
            // a device whose clock says year 3000
            case SENSOR -> "{\"id\":\"wrong-clock-s\",\"sensorId\":\"WRONG-CLOCK\",\"kind\":\"GAS\",\"value\":99,\"ts\":"
                    + (cleanTs + 974 * YEAR) + ",\"lat\":31.2304,\"lon\":121.4737}";
            // microseconds where milliseconds belong
            case CALL -> "{\"id\":\"wrong-clock-c\",\"ts\":" + cleanTs * 1000
                    + ",\"lat\":31.30,\"lon\":121.05,\"category\":\"FIRE\",\"cityCode\":\"320583\"}";
            // the largest ts the schema lets through
            case FRAUD -> "{\"id\":\"wrong-clock-f\",\"ts\":" + Long.MAX_VALUE + ",\"cityCode\":\"320500\",\"fraudType\":\"OTHER\","
                    + "\"amountCny\":1,\"identifiers\":[{\"type\":\"PHONE\",\"value\":\"13900000000\"}]}";
            // a console ten years ahead
            case ACK -> "{\"alertId\":\"INC-CASCADE:wrong-clock\",\"province\":\"320000\",\"ts\":" + (cleanTs + 10 * YEAR)
                    + ",\"status\":\"RECEIVED\"}";
            default -> throw new IllegalArgumentException(stream.name());
        };
    }

    /**
     * Copies the case into {@code in}, each file with one record stamped years ahead after its
     * middle line; returns the inserted line's number per file name.
     */
    private static Map<String, Integer> copyWithRecordsStampedAhead(Path from, Path in) throws Exception {
        Files.createDirectories(in);
        Map<String, Integer> inserted = new java.util.HashMap<>();
        for (Map.Entry<StreamKind, Path> f : Replay.inputs(from).entrySet()) {
            List<String> lines = new ArrayList<>(Files.readAllLines(f.getValue(), StandardCharsets.UTF_8));
            int middle = lines.size() / 2;
            long cleanTs = tsBefore(lines, middle);
            lines.add(middle, stampedAhead(f.getKey(), cleanTs));
            Files.write(in.resolve(f.getValue().getFileName()), lines, StandardCharsets.UTF_8);
            inserted.put(f.getValue().getFileName().toString(), middle + 1);
        }
        return inserted;
    }

    /** The ts of the last record before line index {@code index} that has one. */
    private static long tsBefore(List<String> lines, int index) {
        for (int i = index - 1; ; i--) {
            try {
                JsonNode ts = JSON.readTree(lines.get(i)).get("ts");
                if (ts != null && ts.isIntegralNumber()) {
                    return ts.asLong();
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException malformed) {
                // one of the case's deliberately broken lines
            }
        }
    }

    private Path replay(Path in, String name, int parallelism) throws Exception {
        Path out = tmp.resolve(name + "-p" + parallelism);
        Replay.run(Replay.inputs(in), out, RulePack.defaults(), Replay.configuration(parallelism, new Configuration()));
        return out;
    }

    /** Dead letters as "stream reason file:line raw", with lines after an inserted one counted as in the clean file. */
    private static List<String> deadLetters(Path out, Map<String, Integer> inserted) {
        List<String> lines = new ArrayList<>();
        for (JsonNode d : FinalAlerts.lines(out.resolve(Replay.DEAD_LETTERS_FILE))) {
            String[] source = d.get("source").asText().split(":");
            int line = Integer.parseInt(source[1]);
            int at = inserted.getOrDefault(source[0], Integer.MAX_VALUE);
            lines.add(d.get("stream").asText() + " " + d.get("reason").asText() + " " + source[0] + ":" + (line > at ? line - 1 : line)
                    + " " + d.get("raw").asText());
        }
        lines.sort(null);
        return lines;
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "gen-b"})
    void oneRecordPerStreamStampedYearsAheadIsFutureAndChangesNothingElseAtParallelismOneAndTwo(String name) throws Exception {
        Path in = tmp.resolve(name + "-in");
        Map<String, Integer> inserted = copyWithRecordsStampedAhead(caseDir(name), in);
        assertThat(inserted).hasSize(4);
        List<String> clean = deadLetters(replay(caseDir(name), name + "-clean", 2), Map.of());

        for (int parallelism : new int[] {1, 2}) {
            Path out = replay(in, name, parallelism);
            assertThat(FinalAlerts.ofAlertsFile(out.resolve(Replay.ALERTS_FILE))).as("p" + parallelism)
                    .isEqualTo(FinalAlerts.ofExpectedFile(expected(name)));

            Map<StreamKind, String> future = new EnumMap<>(StreamKind.class);
            for (JsonNode d : FinalAlerts.lines(out.resolve(Replay.DEAD_LETTERS_FILE))) {
                if (d.get("reason").asText().equals("FUTURE")) {
                    future.put(StreamKind.valueOf(d.get("stream").asText()), d.get("source").asText());
                }
            }
            Map<StreamKind, String> wanted = new EnumMap<>(StreamKind.class);
            for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
                String file = s.baseName() + ".jsonl";
                wanted.put(s, file + ":" + inserted.get(file));
            }
            assertThat(future).as("p" + parallelism + ": one FUTURE dead letter per stream, naming its line").isEqualTo(wanted);

            List<String> others = new ArrayList<>(deadLetters(out, inserted));
            others.removeIf(d -> d.split(" ")[1].equals("FUTURE"));
            assertThat(others).as("p" + parallelism + ": no other dead letter added or lost").isEqualTo(clean);
        }
    }
}
