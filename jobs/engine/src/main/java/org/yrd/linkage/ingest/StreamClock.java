package org.yrd.linkage.ingest;

import org.yrd.linkage.runtime.EventTime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The event-time clock of one input stream in one ingestion subtask: it decides which records are
 * on time, LATE or FUTURE, and how far the stream's time has got ({@link #latest()}, the largest ts
 * taken on time), which the watermark trails by the out-of-orderness bound. Producers' clocks are
 * not trusted (contracts/README.md): a record stamped ahead of the real time is FUTURE and moves
 * no clock, so it can neither make correctly stamped records LATE nor close windows early.
 *
 * <p><b>With the wall clock</b> (live mode) "ahead" means more than {@code maxSkew} after the
 * engine's wall clock: such a record is FUTURE at once.
 *
 * <p><b>Without it</b> (replay) the stream's own records are the reference, read in order by one
 * subtask, so every decision depends on the order of the file alone, never on timing or
 * parallelism. A record stamped more than {@code maxSkew} ahead of the stream's clock is a jump:
 * it is held back, moving nothing, and the records after it that move time on (stamped after
 * the stream's latest ts) vote on it. One stamped at most the bound before it, or after it,
 * confirms it: time has got there. One stamped more than the bound before it contradicts it: the
 * stream's time goes on below the jump, which would make such records LATE. Records that move no
 * time on (repeats from at-least-once producers, stragglers, LATE ones) witness nothing and do not
 * vote. Four votes decide: confirmed, the record is taken and the clock jumps with it;
 * contradicted, it is FUTURE. A held record is also taken as soon as the clock catches up to
 * within {@code maxSkew} of it, so the watermark never passes a held record. Every record that
 * is held votes on those held before it, so at most seven are held. A stream starts with no
 * clock, so its first records are all jumps and a first record stamped years ahead cannot set the
 * clock. Sparse streams with long gaps, streams that start late and quiet periods only delay
 * decisions: the records after a genuine gap confirm it. At the end of the input the records
 * still held are taken, in ts order: nothing follows them that they could make LATE.
 *
 * <p>Limits: a jump that four records after it confirm is real time, however far it goes, so a
 * producer that stamps most of a stream's records years ahead takes its clock along; and a record
 * stamped years ahead among the last few records of a file is taken rather than dead-lettered,
 * which harms nothing after it.
 *
 * @param <T> what the clock holds and hands back with each verdict
 */
final class StreamClock<T> {

    /** The clock of a stream that has taken no record yet. */
    static final long NONE = Long.MIN_VALUE;
    /** Votes that decide a jump either way; a held record is decided after at most {@code 2 * DECIDING - 1} votes. */
    static final int DECIDING = 4;
    /** At most this many records are held at once. */
    static final int MAX_HELD = 2 * DECIDING - 1;

    /** What becomes of each record, in the order the clock decides. */
    interface Verdicts<T> {
        void onTime(T record);

        /** More than the bound behind {@link #latest()}. */
        void late(T record);

        void future(T record, String detail);
    }

    private static final class Held<T> {
        final long ts;
        final T record;
        /** The stream's clock when the record arrived, for the dead letter's detail. */
        final long clockThen;
        int confirmed;
        int contradicted;

        Held(long ts, T record, long clockThen) {
            this.ts = ts;
            this.record = record;
            this.clockThen = clockThen;
        }
    }

    private final long boundMillis;
    private final long maxSkewMillis;
    private final boolean wallClock;
    private final List<Held<T>> held = new ArrayList<>(MAX_HELD);
    private long latest = NONE;

    /**
     * @param wallClock judge "ahead" against the wall clock passed to {@link #offer} (live mode);
     *     otherwise against the stream's own records (replay)
     */
    StreamClock(long boundMillis, long maxSkewMillis, boolean wallClock) {
        this.boundMillis = boundMillis;
        this.maxSkewMillis = maxSkewMillis;
        this.wallClock = wallClock;
    }

    /** The largest ts taken on time, {@link #NONE} before the first. */
    long latest() {
        return latest;
    }

    /** The records held back as jumps, in arrival order (for a checkpoint). */
    List<T> held() {
        List<T> records = new ArrayList<>(held.size());
        for (Held<T> h : held) {
            records.add(h.record);
        }
        return records;
    }

    /** Moves the clock to at least {@code ts}: a quiet stream following the wall clock (live mode). */
    void follow(long ts) {
        latest = Math.max(latest, ts);
    }

    /**
     * Takes a record stamped {@code ts} that arrived at wall-clock time {@code now}; reports its
     * verdict, or holds it and reports the verdicts it settles on records held before.
     */
    void offer(long ts, T record, long now, Verdicts<T> out) {
        if (wallClock) {
            if (ts > EventTime.plus(now, maxSkewMillis)) {
                out.future(record, "ts " + ts + " is " + (ts - now) + " ms ahead of the engine's clock " + now
                        + ", more than the " + maxSkewMillis + " ms a producer's clock may be ahead");
            } else {
                judge(ts, record, out);
            }
            return;
        }
        boolean ahead = latest == NONE || ts > EventTime.plus(latest, maxSkewMillis);
        if (latest == NONE || ts > latest) {
            for (Held<T> h : held) {
                if (ts >= h.ts - boundMillis) {
                    h.confirmed++;
                } else {
                    h.contradicted++;
                }
            }
        }
        if (ahead) {
            held.add(new Held<>(ts, record, latest));
        } else {
            judge(ts, record, out);
        }
        settle(out);
    }

    /** The end of the input: the records still held are taken in ts order, so none of them makes another LATE. */
    void end(Verdicts<T> out) {
        held.sort(Comparator.comparingLong(h -> h.ts));
        for (Held<T> h : held) {
            judge(h.ts, h.record, out);
        }
        held.clear();
    }

    /** A record that is not ahead: LATE when more than the bound behind the clock, else on time. */
    private void judge(long ts, T record, Verdicts<T> out) {
        if (latest != NONE && ts < latest - boundMillis) {
            out.late(record);
        } else {
            latest = Math.max(latest, ts);
            out.onTime(record);
        }
    }

    /** Decides every held record whose votes or the clock now decide, earliest arrival first. */
    private void settle(Verdicts<T> out) {
        for (int i = 0; i < held.size(); ) {
            Held<T> h = held.get(i);
            if (h.contradicted >= DECIDING) {
                held.remove(i);
                out.future(h.record, futureDetail(h));
                i = 0;
            } else if (h.confirmed >= DECIDING || (latest != NONE && h.ts <= EventTime.plus(latest, maxSkewMillis))) {
                held.remove(i);
                judge(h.ts, h.record, out);
                i = 0;
            } else {
                i++;
            }
        }
    }

    private String futureDetail(Held<T> h) {
        String ahead = h.clockThen == NONE ? "ahead of the first records of its stream"
                : (h.ts - h.clockThen) + " ms ahead of its stream's latest ts " + h.clockThen;
        return "ts " + h.ts + " is " + ahead + ", and " + DECIDING + " records after it that moved the stream's time on are stamped more than "
                + boundMillis + " ms before it";
    }
}
