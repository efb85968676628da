package org.yrd.linkage.runtime;

import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.StreamKind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a record that an operator threw on becomes: one dead letter naming the operator and the exception. */
class RecordFailuresTest {

    private final RecordFailures failures = new RecordFailures("INC-SPREAD", new UnregisteredMetricsGroup());

    @Test
    void deadLetterNamesTheOperatorTheExceptionAndWhereTheRecordCameFrom() {
        DeadLetter d = failures.deadLetter(new IllegalArgumentException("no such kind"), StreamKind.SENSOR, "id s1, ts 5", "sensor-readings.jsonl:7");
        assertThat(d.stream()).isEqualTo(StreamKind.SENSOR);
        assertThat(d.reason()).isEqualTo(DeadLetter.Reason.SCHEMA);
        assertThat(d.detail()).isEqualTo("internal error in INC-SPREAD: java.lang.IllegalArgumentException: no such kind");
        assertThat(d.raw()).isEqualTo("id s1, ts 5");
        assertThat(d.source()).isEqualTo("sensor-readings.jsonl:7");
    }

    @Test
    void stackOverflowWithoutAMessageStillNamesItsClass() {
        assertThat(failures.deadLetter(new StackOverflowError(), StreamKind.CALL, "x", null).detail())
                .isEqualTo("internal error in INC-SPREAD: java.lang.StackOverflowError");
    }

    @Test
    void flinksOwnFailuresAreNotTheRecordsAndAreThrownOn() {
        FlinkRuntimeException state = new FlinkRuntimeException("Error while retrieving data from RocksDB");
        assertThatThrownBy(() -> failures.deadLetter(state, StreamKind.SENSOR, "x", null)).isSameAs(state);
    }

    @Test
    void longMessageIsCutBeforeADigitRunSoNoStartOfANumberIsLeftToSlipPastMasking() {
        String message = "x".repeat(480) + " call 13912345678 " + "y".repeat(100);
        String detail = failures.deadLetter(new IllegalStateException(message), StreamKind.CALL, "x", null).detail();
        assertThat(detail).endsWith("x call...").doesNotContain("139");
    }
}
