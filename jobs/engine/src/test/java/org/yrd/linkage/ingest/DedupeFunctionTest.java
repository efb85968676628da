package org.yrd.linkage.ingest;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.Event;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.model.CallCategory.FIRE;
import static org.yrd.linkage.testing.Events.HOUR;
import static org.yrd.linkage.testing.Events.T0;
import static org.yrd.linkage.testing.Events.call;

/**
 * De-duplication and the LATE decision in Flink's operator harnesses: keyed, with and without the
 * TTL on ids (live mode and, before, replay), and in file order, as replay runs it now.
 */
class DedupeFunctionTest {

    enum Mode { KEYED, KEYED_WITHOUT_TTL, FILE_ORDER }

    private static OneInputStreamOperatorTestHarness<Event, Event> harness(Mode mode) throws Exception {
        OneInputStreamOperatorTestHarness<Event, Event> h = mode == Mode.FILE_ORDER
                ? new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new FileOrderDedupe(Duration.ofHours(24))))
                : new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                        new DedupeFunction(Duration.ofHours(24), mode == Mode.KEYED)), DedupeFunction::key, Types.STRING);
        h.open();
        return h;
    }

    private static Event fire(String id, long ts) {
        return call(id, ts, 31.23, 121.47, FIRE, "310101");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void repeatedRecordWithin24HoursIsIgnoredAndCountedNotDeadLettered(Mode mode) throws Exception {
        try (var h = harness(mode)) {
            h.processElement(fire("c1", T0), T0);
            h.processElement(fire("c1", T0), T0);
            h.processElement(fire("c1", T0 + 24 * HOUR), T0 + 24 * HOUR);
            assertThat(h.extractOutputValues()).extracting(Event::id).containsExactly("c1");
            assertThat(h.getSideOutput(Outputs.DEAD_LETTERS)).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void sameIdMoreThan24HoursLaterIsANewRecord(Mode mode) throws Exception {
        try (var h = harness(mode)) {
            h.processElement(fire("c1", T0), T0);
            h.processElement(fire("c1", T0 + 24 * HOUR + 1), T0 + 24 * HOUR + 1);
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void sameIdOnAnotherStreamIsNotARepeat(Mode mode) throws Exception {
        try (var h = harness(mode)) {
            h.processElement(fire("x", T0), T0);
            h.processElement(org.yrd.linkage.testing.Events.fraud("x", T0, "310101", 1, "PHONE", "13900000000"), T0);
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void lateRecordIsDeadLetteredWithItsInputButALateRepeatIsOnlyCounted(Mode mode) throws Exception {
        try (var h = harness(mode)) {
            h.processElement(fire("c1", T0), T0);
            h.processElement(fire("c1", T0).asLate("{\"id\":\"c1\"}"), T0);
            h.processElement(fire("c2", T0).asLate("{\"id\":\"c2\"}"), T0);
            assertThat(h.extractOutputValues()).extracting(Event::id).containsExactly("c1");
            assertThat(h.getSideOutput(Outputs.DEAD_LETTERS)).extracting(StreamRecord::getValue)
                    .extracting(DeadLetter::reason, DeadLetter::raw).containsExactly(org.assertj.core.groups.Tuple.tuple(DeadLetter.Reason.LATE, "{\"id\":\"c2\"}"));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void recordBehindThisOperatorsWatermarkIsLate(Mode mode) throws Exception {
        try (var h = harness(mode)) {
            h.processWatermark(new Watermark(T0));
            h.processElement(fire("c1", T0), T0);
            h.processElement(fire("c2", T0 + 1), T0 + 1);
            assertThat(h.extractOutputValues()).extracting(Event::id).containsExactly("c2");
            assertThat(h.getSideOutput(Outputs.DEAD_LETTERS)).hasSize(1);
        }
    }
}
