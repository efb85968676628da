package org.yrd.linkage.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yrd.linkage.ident.IdentifierKey;
import org.yrd.linkage.ingest.RecordParser;
import org.yrd.linkage.ingest.Rejected;
import org.yrd.linkage.model.FraudReport;
import org.yrd.linkage.model.Identifier;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.region.Region;
import org.yrd.linkage.replay.Replay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The benchmarks' helpers produce what they claim; no timings are asserted here. */
class BenchHelpersTest {

    @Test
    void generatedReplayFilesAreAllValidPlacedAndOfTheIntendedMix(@TempDir Path dir) throws Exception {
        MixedStreamGenerator.Summary s = MixedStreamGenerator.generate(dir, 20_000, 3);
        assertThat(s.total()).isBetween(20_000L, 20_010L);
        Map<StreamKind, List<String>> lines = MixedStreamGenerator.read(dir);
        RecordParser parser = new RecordParser(IdentifierKey.development());
        Region region = Region.get();
        for (Map.Entry<StreamKind, List<String>> e : lines.entrySet()) {
            for (String line : e.getValue()) {
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                Object record;
                try {
                    record = parser.parse(e.getKey(), b, b.length);
                } catch (Rejected r) {
                    throw new AssertionError(r.reason() + " " + r.detail() + ": " + line, r);
                }
                if (record instanceof org.yrd.linkage.model.SensorReading r) {
                    int city = r.cityCode() != null ? region.cityOfCode(r.cityCode()) : region.cityAt(r.lat(), r.lon());
                    assertThat(city).as(line).isNotZero();
                }
                if (record instanceof org.yrd.linkage.model.EmergencyCall c) {
                    assertThat(region.cityAt(c.lat(), c.lon())).as(line).isNotZero();
                }
            }
        }
        double total = s.total();
        assertThat(lines.get(StreamKind.SENSOR).size() / total).isBetween(0.87, 0.92);
        assertThat(lines.get(StreamKind.CALL).size() / total).isBetween(0.06, 0.08);
        assertThat(lines.get(StreamKind.FRAUD).size() / total).isBetween(0.02, 0.03);
        assertThat(lines.get(StreamKind.ACK).size() / total).isBetween(0.002, 0.01);
        assertThat(s.planted()).isBetween(8L, 10L);
        assertThat(s.bytes() / total).as("bytes per line").isBetween(120.0, 200.0);
    }

    @Test
    void theSameSeedWritesTheSameFiles(@TempDir Path a, @TempDir Path b) throws Exception {
        MixedStreamGenerator.generate(a, 5_000, 9);
        MixedStreamGenerator.generate(b, 5_000, 9);
        for (String f : List.of("sensor-readings.jsonl", "emergency-calls.jsonl", "fraud-reports.jsonl", "alert-acks.jsonl")) {
            assertThat(Files.readAllBytes(a.resolve(f))).as(f).isEqualTo(Files.readAllBytes(b.resolve(f)));
        }
    }

    @Test
    void theParseFloorBindsEveryLineOnceOnOneOrTwoThreads(@TempDir Path dir) throws Exception {
        MixedStreamGenerator.Summary s = MixedStreamGenerator.generate(dir, 7_001, 5);
        Map<StreamKind, Path> files = Replay.inputs(dir);
        ParseFloor.Result one = ParseFloor.run(files, 1);
        ParseFloor.Result two = ParseFloor.run(files, 2);
        assertThat(one.lines()).isEqualTo(s.total());
        assertThat(two.lines()).isEqualTo(s.total());
        assertThat(one.failures()).isZero();
        assertThat(two.failures()).isZero();
        assertThat(two.bytes()).isEqualTo(one.bytes()).isEqualTo(s.bytes());
    }

    @Test
    void theEnginesOwnParserTakesEveryGeneratedLineAndRejectsABrokenOne(@TempDir Path dir) throws Exception {
        MixedStreamGenerator.Summary s = MixedStreamGenerator.generate(dir, 7_001, 5);
        Map<StreamKind, Path> files = Replay.inputs(dir);
        ParseFloor.Result strict = ParseFloor.run(files, 2, ParseFloor.Binding.STRICT);
        assertThat(strict.lines()).isEqualTo(s.total());
        assertThat(strict.failures()).isZero();

        // a line that databind takes but the contract does not: lat out of range, which databind does not check
        Files.writeString(files.get(StreamKind.SENSOR), "{\"id\":\"x\",\"sensorId\":\"s\",\"kind\":\"GAS\",\"value\":1,"
                + "\"ts\":1,\"lat\":91,\"lon\":120}\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(ParseFloor.run(files, 1, ParseFloor.Binding.STRICT).failures()).isEqualTo(1);
        assertThat(ParseFloor.run(files, 1, ParseFloor.Binding.DATABIND).failures()).isZero();
    }

    @Test
    void thePassThroughReadsAndBindsEveryLineOnce(@TempDir Path dir) throws Exception {
        MixedStreamGenerator.Summary s = MixedStreamGenerator.generate(dir, 7_001, 5);
        PassThrough.Result r = PassThrough.run(Replay.inputs(dir), 2);
        assertThat(r.timed().lines()).isEqualTo(s.total());
        assertThat(r.notBound()).isZero();
        assertThat(r.timed().activeSeconds()).isPositive().isLessThanOrEqualTo(r.timed().wallSeconds());
    }

    @Test
    void splitRangesCoverAFileAtLineEnds(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.jsonl");
        Files.writeString(f, "{\"a\":1}\n{\"a\":22}\n{\"a\":333}\n{\"a\":4444}\n{\"a\":5}");
        long size = Files.size(f);
        for (int n = 1; n <= 7; n++) {
            List<ParseFloor.Range> ranges = ParseFloor.split(StreamKind.ACK, f, n);
            assertThat(ranges).hasSize(n);
            assertThat(ranges.get(0).start()).isZero();
            assertThat(ranges.get(n - 1).end()).isEqualTo(size);
            byte[] bytes = Files.readAllBytes(f);
            for (int k = 0; k < n; k++) {
                ParseFloor.Range r = ranges.get(k);
                if (k > 0) {
                    assertThat(r.start()).isEqualTo(ranges.get(k - 1).end());
                }
                if (r.start() > 0 && r.start() < size) {
                    assertThat(bytes[(int) r.start() - 1]).isEqualTo((byte) '\n');
                }
            }
        }
    }

    @Test
    void linkerReportsNameTheirShareOfDistinctIdentifiers() {
        LinkerBench.Reports reports = new LinkerBench.Reports(1_000, 10_000, 0.0, 1, 1000);
        reports.flatMap(0L, new org.apache.flink.util.Collector<>() {
            @Override
            public void collect(org.yrd.linkage.chain.Routed r) {}

            @Override
            public void close() {}
        });
        Set<String> keys = new HashSet<>();
        for (long i = 0; i < 1_000; i++) {
            FraudReport r = reports.report(i);
            assertThat(r.identifiers()).hasSize(10);
            for (Identifier id : r.identifiers()) {
                assertThat(id.digest()).hasSize(32);
                keys.add(id.key());
            }
        }
        assertThat(keys).hasSize(10_000);
    }

    @Test
    void someLinkerReportsNameAnIdentifierOfAnEarlierReport() {
        LinkerBench.Reports reports = new LinkerBench.Reports(10_000, 30_000, 0.05, 1, 1000);
        reports.flatMap(0L, new org.apache.flink.util.Collector<>() {
            @Override
            public void collect(org.yrd.linkage.chain.Routed r) {}

            @Override
            public void close() {}
        });
        int linking = 0;
        for (long i = 0; i < 10_000; i++) {
            if (reports.report(i).identifiers().length == 4) {
                linking++;
            }
        }
        assertThat(linking).isBetween(400, 600);
    }

    @Test
    void theCpuBudgetOfALineIsWhatAllCoresCanSpendAtTheTargetRate() {
        // half of a 1 M lines/s floor is 500 k lines/s; two busy cores give each line 4 us
        assertThat(ReplayBench.cpuBudgetMicrosPerLine(1_000_000, 0.5, 2)).isCloseTo(4.0, within(1e-9));
        ReplayBench.Run run = new ReplayBench.Run(2, 2_000_000, 10, 9, 0, 0, 12, Map.of(), 1, "");
        assertThat(run.cpuMicrosPerLine()).isCloseTo(6.0, within(1e-9));
    }

    @Test
    void fixedPointNumbersHaveExactlyTheDecimalsAsked() {
        StringBuilder sb = new StringBuilder();
        Lines.fixed(sb, 31.4209834, 6);
        sb.append(' ');
        Lines.fixed(sb, 0.05, 3);
        sb.append(' ');
        Lines.fixed(sb, -0.0000004, 6);
        sb.append(' ');
        Lines.fixed(sb, 1234.5, 2);
        assertThat(sb.toString()).isEqualTo("31.420983 0.050 0.000000 1234.50");
    }

    @Test
    void rocksDbMetricIdsNameTheirState() {
        String id = "0.CYB-LINK_(linker).column_family._timer_state/event_user-timers.rocksdb_estimate-num-keys";
        assertThat(LinkerBench.columnFamily(id, id.lastIndexOf("rocksdb"))).isEqualTo("_timer_state/event_user-timers");
        String plain = "0.CYB-LINK_(linker).rocksdb_block-cache-usage";
        assertThat(LinkerBench.columnFamily(plain, plain.lastIndexOf("rocksdb"))).isEqualTo("(all)");
    }

    @Test
    void alertIdsAreReadFromAlertRecords() {
        assertThat(LatencyBench.alertIdOf("{\"alertId\":\"INC-CASCADE:lb-x-b1\",\"revision\":1}")).isEqualTo("INC-CASCADE:lb-x-b1");
        assertThat(LatencyBench.alertIdOf("{\"revision\":1}")).isNull();
    }
}
