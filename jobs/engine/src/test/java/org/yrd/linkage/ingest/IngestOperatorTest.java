package org.yrd.linkage.ingest;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;

/** Ingestion in Flink's operator harness: parsing, placement, filtering, lateness, watermarks, dead letters. */
class IngestOperatorTest {

    private static final long BOUND = 5 * MINUTE;

    private static TwoInputStreamOperatorTestHarness<RawRecord, String, Event> harness(StreamKind stream, boolean clock) throws Exception {
        return harness(new IngestOperator(stream, RulePack.defaults(), BOUND, 200, 5_000, clock, null, true));
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

    private static List<DeadLetter> deadLetters(TwoInputStreamOperatorTestHarness<RawRecord, String, Event> h) {
        var side = h.getSideOutput(Outputs.DEAD_LETTERS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void breachIsPlacedByPointInPolygonAndReadingUnderThresholdGoesNoFurther() throws Exception {
        try (var h = harness(StreamKind.SENSOR, false)) {
            h.processElement1(line(gas("b", 25, T0)), 0);
            h.processElement1(line(gas("quiet", 24.99, T0 + 1)), 0);
            List<Event> out = h.extractOutputValues();
            assertThat(out).extracting(Event::id).containsExactly("b");
            assertThat(out.get(0).city()).isEqualTo(310100);
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
            assertThat(deadLetters(h)).extracting(DeadLetter::reason).containsExactly(
                    DeadLetter.Reason.MALFORMED_JSON, DeadLetter.Reason.SCHEMA, DeadLetter.Reason.OUT_OF_REGION, DeadLetter.Reason.UNKNOWN_CITY);
            assertThat(deadLetters(h)).allSatisfy(d -> assertThat(d.stream()).isEqualTo(StreamKind.SENSOR));
            assertThat(h.extractOutputValues()).extracting(Event::id).containsExactly("ok");
        }
    }

    @Test
    void recordMoreThanTheBoundBehindItsStreamIsFlaggedLateAndOneWithinIsNot() throws Exception {
        try (var h = harness(StreamKind.SENSOR, false)) {
            h.processElement1(line(gas("a", 30, T0 + 10 * MINUTE)), 0);
            h.processElement1(line(gas("within", 30, T0 + 5 * MINUTE)), 0);
            h.processElement1(line(gas("late", 30, T0 + 5 * MINUTE - 1)), 0);
            List<Event> out = h.extractOutputValues();
            assertThat(out).extracting(Event::id).containsExactly("a", "within", "late");
            assertThat(out).extracting(Event::late).containsExactly(false, false, true);
            assertThat(out.get(2).lateRaw()).contains("\"id\":\"late\"");
        }
    }

    @Test
    void lateReadingUnderThresholdIsDeadLetteredAtOnce() throws Exception {
        try (var h = harness(StreamKind.SENSOR, false)) {
            h.processElement1(line(gas("a", 1, T0 + 10 * MINUTE)), 0);
            h.processElement1(line(gas("late", 1, T0)), 0);
            assertThat(deadLetters(h)).extracting(DeadLetter::reason).containsExactly(DeadLetter.Reason.LATE);
        }
    }

    @Test
    void watermarkTrailsTheLatestTsByTheBoundAndCountsReadingsUnderThreshold() throws Exception {
        try (var h = harness(StreamKind.SENSOR, false)) {
            h.setProcessingTime(0);
            h.processElement1(line(gas("quiet", 1, T0 + 10 * MINUTE)), 0);
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

    /** The default pack with the GAS threshold at 20 instead of 25, version 2. */
    private static RulePack lowerGasThreshold() {
        RulePack d = RulePack.defaults();
        var hazards = new java.util.EnumMap<>(d.hazards());
        var gas = hazards.get(org.yrd.linkage.model.SensorKind.GAS);
        hazards.put(org.yrd.linkage.model.SensorKind.GAS, new RulePack.Hazard(20, gas.unit(), gas.relatedCalls()));
        return new RulePack(d.id(), "2", hazards, d.cascade(), d.spread(), d.cluster(), d.link(), d.burst(), d.escalation());
    }

    private static IngestOperator operator() {
        return new IngestOperator(StreamKind.SENSOR, RulePack.defaults(), BOUND, 200, 5_000, false, null, true);
    }

    @Test
    void lowerThresholdPublishedLiveLetsReadingsThroughFromTheNextRecord() throws Exception {
        RulePack lower = lowerGasThreshold();
        try (var h = harness(StreamKind.SENSOR, false)) {
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
        try (var h = harness(new IngestOperator(StreamKind.FRAUD, RulePack.defaults(), BOUND, 200, 5_000, false, key.toString(), false))) {
            h.processElement1(line(report("f", "+86 139-1234-5678")), 0);
            String digest = h.extractOutputValues().get(0).fraud().identifiers()[0].digest();
            assertThat(digest).isEqualTo(IdentifierKey.load(key).digest(IdentifierType.PHONE, "13912345678"))
                    .isNotEqualTo(IdentifierKey.development().digest(IdentifierType.PHONE, "13912345678"));
        }
    }

    @Test
    void keyFileShorterThanThirtyTwoBytesFailsTheTaskWithAOneLineMessage(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "too short\n");
        var operator = new IngestOperator(StreamKind.FRAUD, RulePack.defaults(), BOUND, 200, 5_000, false, key.toString(), false);
        assertThatThrownBy(() -> harness(operator))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("identifier key file " + key + " holds 9 bytes")
                .message().doesNotContain("\n");
    }

    @Test
    void unreadableKeyFileFailsTheTaskNamingIt(@TempDir Path dir) {
        Path key = dir.resolve("absent");
        var operator = new IngestOperator(StreamKind.FRAUD, RulePack.defaults(), BOUND, 200, 5_000, false, key.toString(), false);
        assertThatThrownBy(() -> harness(operator)).hasMessage("identifier key file " + key + " cannot be read (NoSuchFileException)");
    }

    @Test
    void anOperatorWithNeitherOrBothKeysIsRefused() {
        assertThatThrownBy(() -> new IngestOperator(StreamKind.FRAUD, RulePack.defaults(), BOUND, 200, 5_000, false, null, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IngestOperator(StreamKind.FRAUD, RulePack.defaults(), BOUND, 200, 5_000, false, "key", true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
