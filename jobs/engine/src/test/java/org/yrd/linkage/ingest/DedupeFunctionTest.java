package org.yrd.linkage.ingest;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.Event;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.model.CallCategory.FIRE;
import static org.yrd.linkage.testing.Events.HOUR;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.call;

/** De-duplication and the LATE decision in Flink's keyed operator harness. */
class DedupeFunctionTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, Event> harness() throws Exception {
        return harness(true);
    }

    /** With {@code expireIds} false, as replay runs it: ids are kept without a TTL. */
    private static KeyedOneInputStreamOperatorTestHarness<String, Event, Event> harness(boolean expireIds) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DedupeFunction(Duration.ofHours(24), expireIds)), DedupeFunction::key, Types.STRING);
        h.open();
        return h;
    }

    private static Event fire(String id, long ts) {
        return call(id, ts, 31.23, 121.47, FIRE, "310101");
    }

    @ParameterizedTest(name = "expireIds {0}")
    @ValueSource(booleans = {true, false})
    void repeatedRecordWithin24HoursIsIgnoredAndCountedNotDeadLettered(boolean expireIds) throws Exception {
        try (var h = harness(expireIds)) {
            h.processElement(fire("c1", T0), T0);
            h.processElement(fire("c1", T0), T0);
            h.processElement(fire("c1", T0 + 24 * HOUR), T0 + 24 * HOUR);
            assertThat(h.extractOutputValues()).extracting(Event::id).containsExactly("c1");
            assertThat(h.getSideOutput(Outputs.DEAD_LETTERS)).isNull();
        }
    }

    @ParameterizedTest(name = "expireIds {0}")
    @ValueSource(booleans = {true, false})
    void sameIdMoreThan24HoursLaterIsANewRecord(boolean expireIds) throws Exception {
        try (var h = harness(expireIds)) {
            h.processElement(fire("c1", T0), T0);
            h.processElement(fire("c1", T0 + 24 * HOUR + 1), T0 + 24 * HOUR + 1);
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void sameIdOnAnotherStreamIsNotARepeat() throws Exception {
        try (var h = harness()) {
            h.processElement(fire("x", T0), T0);
            h.processElement(org.yrd.linkage.testing.Events.fraud("x", T0, "310101", 1, "PHONE", "13900000000"), T0);
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void lateRecordIsDeadLetteredWithItsInputButALateRepeatIsOnlyCounted() throws Exception {
        try (var h = harness()) {
            h.processElement(fire("c1", T0), T0);
            h.processElement(fire("c1", T0).asLate("{\"id\":\"c1\"}"), T0);
            h.processElement(fire("c2", T0).asLate("{\"id\":\"c2\"}"), T0);
            assertThat(h.extractOutputValues()).extracting(Event::id).containsExactly("c1");
            assertThat(h.getSideOutput(Outputs.DEAD_LETTERS)).extracting(StreamRecord::getValue)
                    .extracting(DeadLetter::reason, DeadLetter::raw).containsExactly(org.assertj.core.groups.Tuple.tuple(DeadLetter.Reason.LATE, "{\"id\":\"c2\"}"));
        }
    }

    @Test
    void recordBehindThisOperatorsWatermarkIsLate() throws Exception {
        try (var h = harness()) {
            h.processWatermark(new Watermark(T0));
            h.processElement(fire("c1", T0), T0);
            h.processElement(fire("c2", T0 + 1), T0 + 1);
            assertThat(h.extractOutputValues()).extracting(Event::id).containsExactly("c2");
            assertThat(h.getSideOutput(Outputs.DEAD_LETTERS)).hasSize(1);
        }
    }
}
