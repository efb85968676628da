package org.yrd.linkage.replay;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.runtime.RawRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReadPacingTest {

    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_783_612_800_000L;

    private static long scan(String line) {
        return ReadPacing.scanTs(line.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void findsTheTsOfEachStreamsLinesWithoutParsingThem() {
        assertThat(scan("{\"id\":\"s-1\",\"kind\":\"GAS\",\"value\":3.7,\"ts\":1783612800084,\"lat\":33.8}")).isEqualTo(1783612800084L);
        assertThat(scan("{\"alertId\":\"INC-SPREAD:s-1\",\"province\":\"320000\",\"ts\": 1783612922834}")).isEqualTo(1783612922834L);
        assertThat(scan("{\"id\":\"c-1\",\"ts\":1783612800268}")).isEqualTo(1783612800268L);
    }

    @Test
    void everyEighthRecordIsScannedForItsTs() {
        ReadPacing.Stamp stamp = new ReadPacing.Stamp();
        List<Long> stamps = new ArrayList<>();
        for (int i = 0; i < 2 * ReadPacing.SCAN_EVERY; i++) {
            byte[] line = ("{\"id\":\"c-" + i + "\",\"ts\":" + (T0 + i) + "}").getBytes(StandardCharsets.UTF_8);
            stamps.add(stamp.extractTimestamp(new RawRecord(line, "emergency-calls.jsonl", 0, i), Long.MIN_VALUE));
        }
        assertThat(stamps.get(0)).isEqualTo(T0);
        assertThat(stamps.get(ReadPacing.SCAN_EVERY)).isEqualTo(T0 + ReadPacing.SCAN_EVERY);
        assertThat(stamps).filteredOn(t -> t != TimestampAssigner.NO_TIMESTAMP).hasSize(2);
    }

    @Test
    void aLineWithoutAUsableTsPacesNothing() {
        assertThat(scan("{\"id\":\"s-1\"}")).isEqualTo(TimestampAssigner.NO_TIMESTAMP);
        assertThat(scan("{\"ts\":\"soon\"}")).isEqualTo(TimestampAssigner.NO_TIMESTAMP);
        assertThat(scan("{\"ts\":-5}")).isEqualTo(TimestampAssigner.NO_TIMESTAMP);
        assertThat(scan("not json \"ts")).isEqualTo(TimestampAssigner.NO_TIMESTAMP);
        assertThat(scan("")).isEqualTo(TimestampAssigner.NO_TIMESTAMP);
        // a number too long for epoch milliseconds is cut, never overflows into a negative time
        assertThat(scan("{\"ts\":99999999999999999999999}")).isPositive();
    }

    /** The watermarks a generator emits after each ts is read. */
    private static List<Long> pace(long... stamps) {
        ReadPacing.Generator g = new ReadPacing.Generator(HOUR);
        List<Long> marks = new ArrayList<>();
        WatermarkOutput out = new WatermarkOutput() {
            @Override
            public void emitWatermark(Watermark w) {
                marks.add(w.getTimestamp());
            }

            @Override
            public void markIdle() {}

            @Override
            public void markActive() {}
        };
        for (long ts : stamps) {
            g.onEvent(RawRecord.line(new byte[0], "f", 1), ts, out);
            int before = marks.size();
            g.onPeriodicEmit(out);
            if (marks.size() == before) {
                marks.add(null);
            }
        }
        return marks;
    }

    @Test
    void followsTheLargestTsRead() {
        assertThat(pace(T0, T0 + 5, T0 + 2, T0 + 9, TimestampAssigner.NO_TIMESTAMP))
                .containsExactly(null, T0 + 5, T0 + 5, T0 + 9, T0 + 9);
    }

    @Test
    void aSingleRecordStampedFarAheadDoesNotPauseTheFile() {
        assertThat(pace(T0, T0 + 1, T0 + 100 * 24 * HOUR, T0 + 2, T0 + 3))
                .containsExactly(null, T0 + 1, T0 + 1, T0 + 2, T0 + 3);
    }

    @Test
    void aFirstRecordStampedYearsAheadSetsNoTime() {
        long years = T0 + 3L * 365 * 24 * HOUR;
        assertThat(pace(years, T0, T0 + 1)).containsExactly(null, null, T0 + 1);
    }

    @Test
    void aGapTheNextRecordConfirmsIsFollowed() {
        long later = T0 + 30 * 24 * HOUR;
        assertThat(pace(T0, T0 + 1, later, later + 7)).containsExactly(null, T0 + 1, T0 + 1, later + 7);
    }
}
