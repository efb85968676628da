package org.yrd.linkage.ingest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.testing.Events.DAY;
import static org.yrd.linkage.testing.Events.HOUR;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;

/** The stream clock on its own: which records are on time, LATE or FUTURE, with and without a wall clock. */
class StreamClockTest {

    private static final long BOUND = 5 * MINUTE;
    private static final long SKEW = 5 * MINUTE;
    private static final long YEAR = 365 * DAY;

    /** Verdicts as "id verdict", in the order the clock gave them. */
    private static final class Recorded implements StreamClock.Verdicts<String> {
        final List<String> verdicts = new ArrayList<>();
        final List<String> details = new ArrayList<>();

        @Override
        public void onTime(String id) {
            verdicts.add(id + " on-time");
        }

        @Override
        public void late(String id) {
            verdicts.add(id + " LATE");
        }

        @Override
        public void future(String id, String detail) {
            verdicts.add(id + " FUTURE");
            details.add(detail);
        }
    }

    private final Recorded out = new Recorded();

    /** A replay stream whose clock stands at {@code ts}: its first record confirmed by four more. */
    private StreamClock<String> replayClockAt(long ts) {
        StreamClock<String> clock = new StreamClock<>(BOUND, SKEW, false);
        for (int i = 0; i <= StreamClock.DECIDING; i++) {
            clock.offer(ts, "start" + i, 0, out);
        }
        assertThat(clock.latest()).isEqualTo(ts);
        out.verdicts.clear();
        return clock;
    }

    private static void offer(StreamClock<String> clock, Recorded out, long... ts) {
        for (int i = 0; i < ts.length; i++) {
            clock.offer(ts[i], "r" + i, 0, out);
        }
    }

    @Test
    void withTheWallClockARecordMoreThanTheSkewAheadIsFutureAndMovesNoClock() {
        long now = T0;
        StreamClock<String> clock = new StreamClock<>(BOUND, SKEW, true);
        clock.offer(now - MINUTE, "before", now, out);
        clock.offer(now + SKEW, "at-the-skew", now, out);
        clock.offer(now + SKEW + 1, "one-ms-more", now, out);
        clock.offer(now + 1000 * YEAR, "year-3000", now, out);
        clock.offer(Long.MAX_VALUE, "long-max", now, out);
        clock.offer(now + SKEW - BOUND, "after", now, out);
        assertThat(out.verdicts).containsExactly("before on-time", "at-the-skew on-time", "one-ms-more FUTURE",
                "year-3000 FUTURE", "long-max FUTURE", "after on-time");
        assertThat(clock.latest()).isEqualTo(now + SKEW);
        assertThat(out.details.get(0)).isEqualTo("ts " + (now + SKEW + 1) + " is " + (SKEW + 1) + " ms ahead of the engine's clock "
                + now + ", more than the " + SKEW + " ms a producer's clock may be ahead");
    }

    @Test
    void inReplayARecordYearsAheadMidStreamIsFutureAndTheRecordsAfterItAreOnTime() {
        StreamClock<String> clock = replayClockAt(T0);
        clock.offer(T0 + 1000 * YEAR, "year-3000", 0, out);
        assertThat(clock.latest()).as("a held record moves no clock").isEqualTo(T0);
        offer(clock, out, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000, T0 + 5000);
        assertThat(out.verdicts).containsExactly("r0 on-time", "r1 on-time", "r2 on-time", "r3 on-time",
                "year-3000 FUTURE", "r4 on-time");
        assertThat(clock.latest()).isEqualTo(T0 + 5000);
        assertThat(out.details).containsExactly("ts " + (T0 + 1000 * YEAR) + " is " + (1000 * YEAR) + " ms ahead of its stream's latest ts "
                + T0 + ", and 4 records after it that moved the stream's time on are stamped more than " + BOUND + " ms before it");
    }

    @Test
    void aGapThatTheRecordsAfterItConfirmIsRealTime() {
        // a sparse stream (acknowledgements) that resumes five days later
        StreamClock<String> clock = replayClockAt(T0);
        long resumed = T0 + 5 * DAY;
        offer(clock, out, resumed, resumed + HOUR, resumed + 3 * HOUR, resumed + 3 * HOUR + MINUTE, resumed + 9 * HOUR);
        assertThat(out.verdicts).as("four records after it confirm the first").containsExactly("r0 on-time");
        clock.end(out);
        assertThat(out.verdicts).containsExactly("r0 on-time", "r1 on-time", "r2 on-time", "r3 on-time", "r4 on-time");
        assertThat(clock.latest()).isEqualTo(resumed + 9 * HOUR);
    }

    @Test
    void aHeldRecordIsTakenOnTimeAsSoonAsTheClockCatchesUpWithIt() {
        StreamClock<String> clock = replayClockAt(T0);
        clock.offer(T0 + 12 * MINUTE, "ahead", 0, out);
        offer(clock, out, T0 + 4 * MINUTE, T0 + 8 * MINUTE);
        assertThat(out.verdicts).containsExactly("r0 on-time", "r1 on-time", "ahead on-time");
        assertThat(clock.held()).isEmpty();
    }

    @Test
    void aFirstRecordStampedYearsAheadCannotSetTheClock() {
        StreamClock<String> clock = new StreamClock<>(BOUND, SKEW, false);
        clock.offer(T0 + 1000 * YEAR, "year-3000", 0, out);
        offer(clock, out, T0, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000);
        assertThat(out.verdicts).startsWith("year-3000 FUTURE");
        assertThat(out.verdicts).contains("r0 on-time", "r1 on-time", "r2 on-time", "r3 on-time");
        assertThat(clock.latest()).isBetween(T0, T0 + 4000);
        assertThat(out.details.get(0)).startsWith("ts " + (T0 + 1000 * YEAR) + " is ahead of the first records of its stream");
    }

    @Test
    void aStreamThatStartsWithARecordFromNineteenSeventyKeepsItsClockAndThatRecordIsLate() {
        StreamClock<String> clock = new StreamClock<>(BOUND, SKEW, false);
        clock.offer(T0, "first", 0, out);
        clock.offer(0, "epoch", 0, out);
        offer(clock, out, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000);
        clock.end(out);
        assertThat(out.verdicts).containsExactly("first on-time", "epoch LATE", "r0 on-time", "r1 on-time", "r2 on-time", "r3 on-time");
        assertThat(clock.latest()).isEqualTo(T0 + 4000);
    }

    @Test
    void aFarPastRecordBehindTheClockIsLateAndDoesNotVote() {
        StreamClock<String> clock = replayClockAt(T0);
        clock.offer(T0 + 1000 * YEAR, "year-3000", 0, out);
        for (int i = 0; i < 2 * StreamClock.MAX_HELD; i++) {
            clock.offer(0, "epoch" + i, 0, out);
        }
        assertThat(out.verdicts).hasSize(2 * StreamClock.MAX_HELD).allSatisfy(v -> assertThat(v).endsWith("LATE"));
        assertThat(clock.held()).containsExactly("year-3000");
    }

    @Test
    void atTheEndOfTheInputTheRecordsStillHeldAreTakenInTsOrderSoNoneMakesAnotherLate() {
        // the last record of a sparse stream after a long gap, and a record years ahead just before it
        StreamClock<String> clock = replayClockAt(T0);
        clock.offer(T0 + 1000 * YEAR, "year-3000", 0, out);
        clock.offer(T0 + MINUTE, "next", 0, out);
        clock.offer(T0 + 5 * DAY, "after-a-gap", 0, out);
        clock.end(out);
        assertThat(out.verdicts).containsExactly("next on-time", "after-a-gap on-time", "year-3000 on-time");
    }

    @Test
    void repeatsOfEarlierRecordsDoNotOutvoteAGenuineGap() {
        // an at-least-once producer sends the record before the gap again and again
        StreamClock<String> clock = replayClockAt(T0);
        long resumed = T0 + 3 * HOUR;
        clock.offer(resumed, "after-a-gap", 0, out);
        for (int i = 0; i < 2 * StreamClock.MAX_HELD; i++) {
            clock.offer(T0, "repeat" + i, 0, out);
        }
        offer(clock, out, resumed + MINUTE, resumed + 2 * MINUTE, resumed + 3 * MINUTE, resumed + 4 * MINUTE);
        assertThat(out.verdicts).doesNotContain("after-a-gap FUTURE").contains("after-a-gap on-time");
        assertThat(clock.latest()).isGreaterThanOrEqualTo(resumed);
    }

    @Test
    void twoRecordsYearsAheadSideBySideAreOutvotedByTheRecordsAfterThem() {
        StreamClock<String> clock = replayClockAt(T0);
        clock.offer(T0 + 1000 * YEAR, "bad1", 0, out);
        clock.offer(T0 + 1000 * YEAR, "bad2", 0, out);
        offer(clock, out, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000, T0 + 5000);
        assertThat(out.verdicts).contains("bad1 FUTURE", "bad2 FUTURE").doesNotContain("bad1 on-time", "bad2 on-time");
        assertThat(clock.latest()).isEqualTo(T0 + 5000);
    }

    @Test
    void atMostSevenRecordsAreHeldWhateverComes() {
        StreamClock<String> clock = replayClockAt(T0);
        for (int i = 0; i < 100; i++) {
            // each stamped further back than the one before: none confirms another
            clock.offer(T0 + (1000 - i) * YEAR, "bad" + i, 0, out);
            assertThat(clock.held()).hasSizeLessThanOrEqualTo(StreamClock.MAX_HELD);
        }
        assertThat(out.verdicts).hasSizeGreaterThan(90).allSatisfy(v -> assertThat(v).endsWith("FUTURE"));
        assertThat(clock.latest()).isEqualTo(T0);
    }

    @Test
    void aClockTakenToLongMaxValueDoesNotWrapAround() {
        StreamClock<String> clock = new StreamClock<>(BOUND, SKEW, false);
        for (int i = 0; i <= StreamClock.DECIDING; i++) {
            clock.offer(Long.MAX_VALUE, "max" + i, 0, out);
        }
        clock.offer(Long.MAX_VALUE - 1, "just-before", 0, out);
        clock.offer(T0, "now", 0, out);
        assertThat(clock.latest()).isEqualTo(Long.MAX_VALUE);
        assertThat(out.verdicts).endsWith("just-before on-time", "now LATE");
    }
}
