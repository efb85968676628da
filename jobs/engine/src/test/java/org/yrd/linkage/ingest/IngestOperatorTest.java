package org.yrd.linkage.ingest;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RawRecord;
import org.junit.jupiter.api.io.TempDir;
import org.yrd.linkage.ident.IdentifierKey;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.IdentifierType;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;

/** Ingestion in Flink's operator harness: parsing, placement, filtering, lateness, watermarks, dead letters. */
class IngestOperatorTest {

    private static final long BOUND = 5 * MINUTE;
    private static final long SKEW = 5 * MINUTE;
    private static final long YEAR = 365 * 24 * 60 * MINUTE;

    private static TwoInputStreamOperatorTestHarness<RawRecord, String, Event> harness(StreamKind stream, boolean clock) throws Exception {
        return harness(new IngestOperator(stream, RulePack.defaults(), BOUND, SKEW, 200, 5_000, clock, null, true));
    }

    private static TwoInputStreamOperatorTestHarness<RawRecord, String, Event> harness(IngestOperator operator) throws Exception {
        var h = new TwoInputStreamOperatorTestHarness<>(operator);
        h.open();
        return h;
    }

    private static int lines;

    /** A record as the replay source reads it: the bytes, a file name and a line number. */
    private static RawRecord line(byte[] bytes) {
        return RawRecord.line(bytes, "test.jsonl", ++lines);
    }

    private static byte[] report(String id, String phone) {
        return ("{\"id\":\"" + id + "\",\"ts\":" + T0 + ",\"cityCode\":\"320500\",\"fraudType\":\"OTHER\",\"amountCny\":1,"
                + "\"identifiers\":[{\"type\":\"PHONE\",\"value\":\"" + phone + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gas(String id, double value, long ts) {
        return ("{\"id\":\"" + id + "\",\"sensorId\":\"G1\",\"kind\":\"GAS\",\"value\":" + value + ",\"ts\":" + ts
                + ",\"lat\":31.2304,\"lon\":121.4737}").getBytes(StandardCharsets.UTF_8);
    }

    /** Starts a replay stream's clock at {@code ts}: a first reading (under threshold) and four that confirm it. */
    private static void startClockAt(TwoInputStreamOperatorTestHarness<RawRecord, String, Event> h, long ts) throws Exception {
        for (int i = 0; i <= StreamClock.DECIDING; i++) {
            h.processElement1(line(gas("start-" + i, 1, ts)), 0);
        }
    }

    /** The end of a bounded input: the source's final watermark. */
    private static void end(TwoInputStreamOperatorTestHarness<RawRecord, String, Event> h) throws Exception {
        h.processWatermark1(new Watermark(Long.MAX_VALUE));
    }

    private static List<DeadLetter> deadLetters(TwoInputStreamOperatorTestHarness<RawRecord, String, Event> h) {
        var side = h.getSideOutput(Outputs.DEAD_LETTERS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void breachIsPlacedByPointInPolygonAndReadingUnderThresholdGoesNoFurther() throws Exception {
        try (var h = harness(StreamKind.SENSOR, false)) {
            h.processElement1(line(gas("b", 25, T0)), 0);
            h.processElement1(line(gas("quiet", 24.99, T0 + 1)), 0);
            end(h);
            List<Event> out = h.extractOutputValues();
            assertThat(out).extracting(Event::id).containsExactly("b");
            assertThat(out.get(0).city()).isEqualTo(310100);
            assertThat(out.get(0).source()).matches("test\\.jsonl:[0-9]+");
            assertThat(deadLetters(h)).isEmpty();
        }
    }

    @Test
    void unusableRecordsBecomeDeadLettersWithTheirReasonAndTheStreamGoesOn() throws Exception {
        try (var h = harness(StreamKind.SENSOR, false)) {
            h.processElement1(line("{\"id\":".getBytes(StandardCharsets.UTF_8)), 0);
            h.processElement1(line("{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8)), 0);
            h.processElement1(line(("{\"id\":\"far\",\"sensorId\":\"F\",\"kind\":\"GAS\",\"value\":30,\"ts\":" + T0
                    + ",\"lat\":39.9,\"lon\":116.4}").getBytes(StandardCharsets.UTF_8)), 0);
            h.processElement1(line(("{\"id\":\"bj\",\"sensorId\":\"B\",\"kind\":\"GAS\",\"value\":30,\"ts\":" + T0
                    + ",\"lat\":31.2,\"lon\":121.4,\"cityCode\":\"110101\"}").getBytes(StandardCharsets.UTF_8)), 0);
            h.processElement1(line(gas("ok", 30, T0)), 0);
            end(h);
            assertThat(deadLetters(h)).extracting(DeadLetter::reason).containsExactly(
                    DeadLetter.Reason.MALFORMED_JSON, DeadLetter.Reason.SCHEMA, DeadLetter.Reason.OUT_OF_REGION, DeadLetter.Reason.UNKNOWN_CITY);
            assertThat(deadLetters(h)).allSatisfy(d -> assertThat(d.stream()).isEqualTo(StreamKind.SENSOR));
            assertThat(h.extractOutputValues()).extracting(Event::id).containsExactly("ok");
        }
    }

    @Test
    void recordMoreThanTheBoundBehindItsStreamIsFlaggedLateAndOneWithinIsNot() throws Exception {
        try (var h = harness(StreamKind.SENSOR, false)) {
            startClockAt(h, T0 + 10 * MINUTE);
            h.processElement1(line(gas("within", 30, T0 + 5 * MINUTE)), 0);
            h.processElement1(line(gas("late", 30, T0 + 5 * MINUTE - 1)), 0);
            List<Event> out = h.extractOutputValues();
            assertThat(out).extracting(Event::id).containsExactly("within", "late");
            assertThat(out).extracting(Event::late).containsExactly(false, true);
            assertThat(out.get(1).lateRaw()).contains("\"id\":\"late\"");
            assertThat(out).extracting(Event::source).allMatch(source -> source.matches("test\\.jsonl:[0-9]+"));
        }
    }

    @Test
    void lateReadingUnderThresholdIsDeadLetteredAtOnce() throws Exception {
        try (var h = harness(StreamKind.SENSOR, false)) {
            startClockAt(h, T0 + 10 * MINUTE);
            h.processElement1(line(gas("late", 1, T0)), 0);
            assertThat(deadLetters(h)).extracting(DeadLetter::reason).containsExactly(DeadLetter.Reason.LATE);
        }
    }

    @Test
    void watermarkTrailsTheLatestTsByTheBoundAndCountsReadingsUnderThreshold() throws Exception {
        try (var h = harness(StreamKind.SENSOR, false)) {
            h.setProcessingTime(0);
            startClockAt(h, T0 + 10 * MINUTE);
            h.setProcessingTime(200);
            assertThat(h.getOutput()).contains(new Watermark(T0 + 10 * MINUTE - BOUND - 1));
        }
    }

    @Test
    void quietStreamWatermarkFollowsTheWallClockOnlyInLiveMode() throws Exception {
        long now = T0 + 60 * MINUTE;
        try (var live = harness(StreamKind.ACK, true); var replay = harness(StreamKind.ACK, false)) {
            for (var h : List.of(live, replay)) {
                h.setProcessingTime(now);
                h.processElement1(line(("{\"alertId\":\"A\",\"province\":\"320000\",\"ts\":" + T0 + ",\"status\":\"RECEIVED\"}")
                        .getBytes(StandardCharsets.UTF_8)), 0);
                h.setProcessingTime(now + 10_000);
            }
            assertThat(live.getOutput()).contains(new Watermark(now + 10_000 - 5_000 - BOUND - 1));
            assertThat(replay.getOutput()).doesNotContain(new Watermark(now + 10_000 - 5_000 - BOUND - 1));
        }
    }

    @Test
    void aQuietStreamFollowsTheWallClockInWholeStepsOfQuietAfterSoThatEveryStreamMovesAtTheSameInstants() throws Exception {
        long now = T0 + 60 * MINUTE + 1_234;
        try (var h = harness(StreamKind.ACK, true)) {
            h.setProcessingTime(now);
            h.processElement1(line(("{\"alertId\":\"A\",\"province\":\"320000\",\"ts\":" + T0 + ",\"status\":\"RECEIVED\"}")
                    .getBytes(StandardCharsets.UTF_8)), 0);
            long step = T0 + 60 * MINUTE + 5_000; // now + 11 s - 5 s quiet, rounded down to a whole 5 s
            List<Long> seen = new ArrayList<>();
            for (long t = now + 11_000; t < now + 20_000; t += 200) {
                h.setProcessingTime(t);
                seen.add(lastWatermark(h));
                if (t < T0 + 60 * MINUTE + 15_000) {
                    assertThat(lastWatermark(h)).as("at %d", t).isEqualTo(step - BOUND - 1);
                }
            }
            assertThat(seen).as("the steps at whole 5 s of epoch time")
                    .containsSubsequence(step - BOUND - 1, step + 5_000 - BOUND - 1)
                    .allSatisfy(w -> assertThat(Math.floorMod(w + BOUND + 1, 5_000L)).isZero());
        }
    }

    private static long lastWatermark(TwoInputStreamOperatorTestHarness<RawRecord, String, Event> h) {
        long last = Long.MIN_VALUE;
        for (Object o : h.getOutput()) {
            if (o instanceof Watermark w) {
                last = w.getTimestamp();
            }
        }
        return last;
    }

    @Test
    void withoutTheWallClockAQuietLiveStreamTakesWhatItsClockHoldsAndIsIdleUntilItsNextRecord() throws Exception {
        var idle = new IngestOperator(StreamKind.ACK, RulePack.defaults(), BOUND, SKEW, 200, 5_000, false, null, true).idleWhenQuiet(true);
        try (var live = harness(idle); var replay = harness(StreamKind.ACK, false)) {
            for (var h : List.of(live, replay)) {
                h.setProcessingTime(0);
                // a stream's first record is a jump its clock holds until later records confirm it
                h.processElement1(line(("{\"alertId\":\"A\",\"province\":\"320000\",\"ts\":" + T0 + ",\"status\":\"RECEIVED\"}")
                        .getBytes(StandardCharsets.UTF_8)), 0);
                h.setProcessingTime(4_800);
            }
            assertThat(live.extractOutputValues()).isEmpty();
            assertThat(live.getOutput()).noneMatch(WatermarkStatus.class::isInstance);

            live.setProcessingTime(5_000);
            replay.setProcessingTime(5_000);
            assertThat(live.extractOutputValues()).as("taken once the stream is quiet").hasSize(1);
            assertThat(live.getOutput()).contains(new Watermark(T0 - BOUND - 1), WatermarkStatus.IDLE);
            assertThat(replay.extractOutputValues()).as("in replay a quiet stream is only slow").isEmpty();
            assertThat(replay.getOutput()).noneMatch(o -> o instanceof WatermarkStatus || o instanceof Watermark);

            live.processElement1(line(("{\"alertId\":\"B\",\"province\":\"320000\",\"ts\":" + (T0 + MINUTE) + ",\"status\":\"RECEIVED\"}")
                    .getBytes(StandardCharsets.UTF_8)), 0);
            assertThat(live.getOutput()).filteredOn(WatermarkStatus.class::isInstance).containsExactly(WatermarkStatus.IDLE, WatermarkStatus.ACTIVE);
        }
    }

    @Test
    void liveRecordStampedAheadOfTheWallClockIsFutureAndMovesNeitherTheClockNorTheWatermark() throws Exception {
        long now = T0;
        try (var h = harness(StreamKind.SENSOR, true)) {
            h.setProcessingTime(now);
            h.processElement1(line(gas("ok", 30, now - MINUTE)), 0);
            h.processElement1(RawRecord.line(gas("year-3000", 30, now + 974 * YEAR), "sensor-readings.jsonl", 7), 0);
            h.processElement1(line(gas("long-max", 30, Long.MAX_VALUE)), 0);
            h.processElement1(line(gas("after", 30, now - 4 * MINUTE)), 0);
            h.setProcessingTime(now + 200);
            assertThat(deadLetters(h)).extracting(DeadLetter::reason).containsExactly(DeadLetter.Reason.FUTURE, DeadLetter.Reason.FUTURE);
            DeadLetter d = deadLetters(h).get(0);
            assertThat(d.source()).isEqualTo("sensor-readings.jsonl:7");
            assertThat(d.detail()).startsWith("ts " + (now + 974 * YEAR) + " is ").contains("ahead of the engine's clock " + now);
            assertThat(h.extractOutputValues()).extracting(Event::id).containsExactly("ok", "after");
            assertThat(h.extractOutputValues()).noneMatch(Event::late);
            assertThat(h.getOutput()).filteredOn(Watermark.class::isInstance).isNotEmpty()
                    .allSatisfy(w -> assertThat(((Watermark) w).getTimestamp()).isLessThan(now - BOUND));
        }
    }

    @Test
    void replayRecordStampedYearsAheadMidStreamIsFutureAndTheRecordsAfterItFlowOn() throws Exception {
        try (var h = harness(StreamKind.SENSOR, false)) {
            startClockAt(h, T0);
            h.processElement1(RawRecord.line(gas("year-3000", 30, T0 + 974 * YEAR), "sensor-readings.jsonl", 6), 0);
            for (int i = 1; i <= StreamClock.DECIDING; i++) {
                h.processElement1(line(gas("after-" + i, 30, T0 + i * MINUTE)), 0);
            }
            h.setProcessingTime(200);
            assertThat(deadLetters(h)).extracting(DeadLetter::reason).containsExactly(DeadLetter.Reason.FUTURE);
            assertThat(deadLetters(h).get(0).source()).isEqualTo("sensor-readings.jsonl:6");
            assertThat(h.extractOutputValues()).extracting(Event::id).containsExactly("after-1", "after-2", "after-3", "after-4");
            assertThat(h.extractOutputValues()).noneMatch(Event::late);
            assertThat(h.getOutput()).contains(new Watermark(T0 + 4 * MINUTE - BOUND - 1));
        }
    }

    @Test
    void futureRecordsDoNotKeepAQuietStreamsWatermarkFromFollowingTheWallClock() throws Exception {
        long now = T0;
        try (var h = harness(StreamKind.ACK, true)) {
            h.setProcessingTime(now);
            h.processElement1(line(("{\"alertId\":\"A\",\"province\":\"320000\",\"ts\":" + now + ",\"status\":\"RECEIVED\"}")
                    .getBytes(StandardCharsets.UTF_8)), 0);
            for (long t = now + 1000; t <= now + 10_000; t += 1000) {
                h.setProcessingTime(t);
                h.processElement1(line(("{\"alertId\":\"A\",\"province\":\"320000\",\"ts\":" + (t + YEAR) + ",\"status\":\"RECEIVED\"}")
                        .getBytes(StandardCharsets.UTF_8)), 0);
            }
            assertThat(deadLetters(h)).hasSize(10).allSatisfy(d -> assertThat(d.reason()).isEqualTo(DeadLetter.Reason.FUTURE));
            assertThat(h.getOutput()).contains(new Watermark(now + 10_000 - 5_000 - BOUND - 1));
        }
    }

    @Test
    void recordStampedAtTheEpochBehindTheClockIsLateAndANegativeTsIsASchemaViolation() throws Exception {
        try (var h = harness(StreamKind.SENSOR, false)) {
            startClockAt(h, T0);
            h.processElement1(line(gas("epoch", 1, 0)), 0);
            h.processElement1(line(gas("negative", 1, -1)), 0);
            assertThat(deadLetters(h)).extracting(DeadLetter::reason).containsExactly(DeadLetter.Reason.LATE, DeadLetter.Reason.SCHEMA);
            assertThat(deadLetters(h).get(0).detail()).isEqualTo("ts 0 is more than " + BOUND + " ms behind the stream's latest ts " + T0);
        }
    }

    @Test
    void recordsHeldByTheClockAtACheckpointAreTakenAfterARestore() throws Exception {
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = harness(StreamKind.SENSOR, false)) {
            h.processElement1(line(gas("held", 30, T0)), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            snapshot = h.snapshot(1, 1);
        }
        var restored = new TwoInputStreamOperatorTestHarness<>(
                new IngestOperator(StreamKind.SENSOR, RulePack.defaults(), BOUND, SKEW, 200, 5_000, false, null, true));
        try (restored) {
            restored.initializeState(snapshot);
            restored.open();
            end(restored);
            assertThat(restored.extractOutputValues()).extracting(Event::id).containsExactly("held");
        }
    }

    /** The default pack with the GAS threshold at 20 instead of 25, version 2. */
    private static RulePack lowerGasThreshold() {
        RulePack d = RulePack.defaults();
        var hazards = new java.util.EnumMap<>(d.hazards());
        var gas = hazards.get(org.yrd.linkage.model.SensorKind.GAS);
        hazards.put(org.yrd.linkage.model.SensorKind.GAS, new RulePack.Hazard(20, gas.unit(), gas.relatedCalls()));
        return new RulePack(d.id(), "2", hazards, d.cascade(), d.spread(), d.cluster(), d.link(), d.burst(), d.escalation());
    }

    private static IngestOperator operator() {
        return new IngestOperator(StreamKind.SENSOR, RulePack.defaults(), BOUND, SKEW, 200, 5_000, false, null, true);
    }

    @Test
    void lowerThresholdPublishedLiveLetsReadingsThroughFromTheNextRecord() throws Exception {
        RulePack lower = lowerGasThreshold();
        try (var h = harness(StreamKind.SENSOR, false)) {
            startClockAt(h, T0);
            h.processElement1(line(gas("before", 22, T0)), 0);
            h.processElement2(org.yrd.linkage.rules.RulePackFile.toYaml(lower), 0);
            h.processElement1(line(gas("after", 22, T0 + 1)), 0);
            assertThat(h.extractOutputValues()).extracting(Event::id).containsExactly("after");
        }
    }

    @Test
    void packPublishedLiveIsInForceOnEverySubtaskAfterARestoreAtHigherParallelism() throws Exception {
        RulePack lower = lowerGasThreshold();
        OperatorSubtaskState snapshot;
        try (var h = new TwoInputStreamOperatorTestHarness<>(operator(), 128, 1, 0)) {
            h.open();
            h.processElement2(org.yrd.linkage.rules.RulePackFile.toYaml(lower), 0);
            snapshot = h.snapshot(1, 1);
        }
        for (int subtask = 0; subtask < 3; subtask++) {
            try (var h = new TwoInputStreamOperatorTestHarness<>(operator(), 128, 3, subtask)) {
                h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, 128, 1, 3, subtask));
                h.open();
                h.processElement1(line(gas("between", 22, T0)), 0);
                end(h);
                assertThat(h.extractOutputValues()).as("subtask %d of 3", subtask).extracting(Event::id).containsExactly("between");
            }
        }
    }

    @Test
    void suspectIdentifiersAreMaskedInDeadLetters() throws Exception {
        try (var h = harness(StreamKind.FRAUD, false)) {
            h.processElement1(line(("{\"id\":\"f\",\"ts\":-1,\"cityCode\":\"320500\",\"fraudType\":\"OTHER\",\"amountCny\":1,"
                    + "\"identifiers\":[{\"type\":\"PHONE\",\"value\":\"+86 139-1234-5678\"}],\"note\":\"call 13912345678\"}")
                    .getBytes(StandardCharsets.UTF_8)), 0);
            DeadLetter d = deadLetters(h).get(0);
            assertThat(d.reason()).isEqualTo(DeadLetter.Reason.SCHEMA);
            assertThat(d.source()).matches("test\\.jsonl:[0-9]+");
            assertThat(d.raw()).doesNotContain("1234-5678").doesNotContain("13912345678").contains("****");
            assertThat(d.raw()).contains("\"cityCode\":\"****\"", "\"value\":\"+86****5678\"", "call 139****5678");
        }
    }

    @Test
    void rawTextOfEveryStreamIsMaskedAndSoIsADetailThatQuotesIt() throws Exception {
        for (StreamKind stream : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
            try (var h = harness(stream, false)) {
                h.processElement1(line("{\"id\":\"x\",\"note\":\"call １３９１２３４５６７８\",\"ts\":tel13912345678}"
                        .getBytes(StandardCharsets.UTF_8)), 0);
                DeadLetter d = deadLetters(h).get(0);
                assertThat(d.raw()).as(stream.name())
                        .isEqualTo("{\"id\":\"x\",\"note\":\"call １３９****５６７８\",\"ts\":tel139****5678}");
                assertThat(d.detail()).as(stream.name()).contains("tel139****5678").doesNotContain("13912345678");
            }
        }
    }

    @Test
    void identifiersAreDigestedUnderTheKeyReadFromTheKeyFileWhenTheOperatorOpens(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "0123456789abcdef0123456789abcdef\n");
        try (var h = harness(new IngestOperator(StreamKind.FRAUD, RulePack.defaults(), BOUND, SKEW, 200, 5_000, false, key.toString(), false))) {
            h.processElement1(line(report("f", "+86 139-1234-5678")), 0);
            end(h);
            String digest = h.extractOutputValues().get(0).fraud().identifiers()[0].digest();
            assertThat(digest).isEqualTo(IdentifierKey.load(key).digest(IdentifierType.PHONE, "13912345678"))
                    .isNotEqualTo(IdentifierKey.development().digest(IdentifierType.PHONE, "13912345678"));
        }
    }

    @Test
    void keyFileShorterThanThirtyTwoBytesFailsTheTaskWithAOneLineMessage(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "too short\n");
        var operator = new IngestOperator(StreamKind.FRAUD, RulePack.defaults(), BOUND, SKEW, 200, 5_000, false, key.toString(), false);
        assertThatThrownBy(() -> harness(operator))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("identifier key file " + key + " holds 9 bytes")
                .message().doesNotContain("\n");
    }

    @Test
    void unreadableKeyFileFailsTheTaskNamingIt(@TempDir Path dir) {
        Path key = dir.resolve("absent");
        var operator = new IngestOperator(StreamKind.FRAUD, RulePack.defaults(), BOUND, SKEW, 200, 5_000, false, key.toString(), false);
        assertThatThrownBy(() -> harness(operator)).hasMessage("identifier key file " + key + " cannot be read (NoSuchFileException)");
    }

    @Test
    void anOperatorWithNeitherOrBothKeysIsRefused() {
        assertThatThrownBy(() -> new IngestOperator(StreamKind.FRAUD, RulePack.defaults(), BOUND, SKEW, 200, 5_000, false, null, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IngestOperator(StreamKind.FRAUD, RulePack.defaults(), BOUND, SKEW, 200, 5_000, false, "key", true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
