package org.yrd.linkage.replay;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.yrd.linkage.runtime.RawRecord;

import java.time.Duration;

/**
 * Keeps replay's input files at about the same event time while they are read, with Flink's
 * watermark alignment: a file's reader pauses while its time is more than {@code maxDrift} ahead
 * of the slowest file's. Without it each file is read at its own pace, and the rules hold every
 * event of the fast files (calls, reports) until the sensor file, nine lines in ten, catches up:
 * for a whole case that is nearly every non-sensor event pending at once, in state and in the
 * timer queue, which costs memory and time.
 *
 * <p>The watermarks made here only pace the reading. The engine's event time is decided after
 * parsing, by each stream's {@code StreamClock} in ingestion, which ignores every watermark of its
 * source but the final one; so pacing changes when records are read, never which alerts come out
 * (replay's alerts do not depend on timing). The file's {@code "ts"} is found by a byte scan, not
 * a parse; a line without one paces nothing. A single record stamped more than {@code maxJump}
 * ahead is not followed, so one wrong clock cannot pause a file until the others end; a jump the
 * next record confirms is (a real gap in the file). When pacing is wrong it costs only speed:
 * the slowest file is never paused, and a finished file no longer holds the others back.
 */
final class ReadPacing {

    /** The alignment group of a replay's files. */
    static final String GROUP = "replay-files";

    private ReadPacing() {}

    static WatermarkStrategy<RawRecord> strategy(Duration maxDrift, Duration maxJump) {
        long jump = maxJump.toMillis();
        return WatermarkStrategy.<RawRecord>forGenerator(ctx -> new Generator(jump))
                .withTimestampAssigner(ctx -> new Stamp())
                .withWatermarkAlignment(GROUP, maxDrift, Duration.ofMillis(100));
    }

    /** Of how many records one is scanned for its {@code "ts"}. */
    static final int SCAN_EVERY = 8;

    /**
     * The {@code "ts"} of every {@value #SCAN_EVERY}th record as found by {@link #scanTs}, no
     * timestamp for the others: pacing needs a file's time to within a few records, and scanning
     * each sensor line was 7% of its reader's CPU. Nothing reads these timestamps but the
     * {@link Generator} (ingestion stamps its events with their parsed ts).
     */
    static final class Stamp implements TimestampAssigner<RawRecord> {
        private int records;

        @Override
        public long extractTimestamp(RawRecord r, long previous) {
            return records++ % SCAN_EVERY == 0 ? scanTs(r.value()) : TimestampAssigner.NO_TIMESTAMP;
        }
    }

    /** The number after the first {@code "ts":} of a line, or {@link TimestampAssigner#NO_TIMESTAMP}. */
    static long scanTs(byte[] line) {
        int n = line.length - 5;
        for (int i = 0; i < n; i++) {
            if (line[i] == '"' && line[i + 1] == 't' && line[i + 2] == 's' && line[i + 3] == '"' && line[i + 4] == ':') {
                int j = i + 5;
                while (j < line.length && line[j] == ' ') {
                    j++;
                }
                long v = 0;
                int digits = 0;
                while (j < line.length && line[j] >= '0' && line[j] <= '9' && digits < 18) {
                    v = v * 10 + (line[j++] - '0');
                    digits++;
                }
                return digits == 0 ? TimestampAssigner.NO_TIMESTAMP : v;
            }
        }
        return TimestampAssigner.NO_TIMESTAMP;
    }

    /**
     * The largest ts read so far. A jump of more than {@code maxJump} (the first record's ts among
     * them) is followed only when the next record lands within {@code maxJump} of it.
     */
    static final class Generator implements WatermarkGenerator<RawRecord> {
        private final long maxJump;
        private long time = Long.MIN_VALUE;
        private long candidate = Long.MIN_VALUE;

        Generator(long maxJump) {
            this.maxJump = maxJump;
        }

        @Override
        public void onEvent(RawRecord r, long ts, WatermarkOutput out) {
            if (ts == TimestampAssigner.NO_TIMESTAMP || time != Long.MIN_VALUE && ts <= time) {
                return;
            }
            if (time != Long.MIN_VALUE && ts - time <= maxJump) {
                time = ts;
                candidate = Long.MIN_VALUE;
            } else if (candidate != Long.MIN_VALUE && Math.abs(ts - candidate) <= maxJump) {
                time = Math.max(ts, candidate);
                candidate = Long.MIN_VALUE;
            } else {
                candidate = ts;
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) {
            if (time != Long.MIN_VALUE) {
                out.emitWatermark(new Watermark(time));
            }
        }

        long time() {
            return time;
        }
    }
}
