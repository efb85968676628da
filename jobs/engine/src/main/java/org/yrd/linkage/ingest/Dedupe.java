package org.yrd.linkage.ingest;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.DeadLetter.Reason;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.runtime.EngineMetrics;
import org.yrd.linkage.runtime.RecordFailures;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What de-duplication decides for one event (contracts/README.md): a record repeated within the
 * horizon of its id's first record has no effect and is counted; then a record behind the
 * watermark is dead-lettered LATE. The keyed {@link DedupeFunction} (live mode, and a replay
 * with its state in RocksDB) and {@link FileOrderDedupe} (a replay with its state on the heap)
 * differ only in where they keep each id's first ts.
 */
final class Dedupe {

    /** What becomes of an event. */
    enum Verdict { FIRST, REPEATED, LATE }

    private final long horizonMillis;
    private final Map<StreamKind, Counter> repeated = new EnumMap<>(StreamKind.class);
    private final Map<StreamKind, Counter> late = new EnumMap<>(StreamKind.class);
    private final RecordFailures failures;

    Dedupe(long horizonMillis, MetricGroup metrics) {
        this.horizonMillis = horizonMillis;
        this.failures = new RecordFailures("dedupe", metrics);
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
            repeated.put(s, metrics.addGroup(EngineMetrics.STREAM, s.name()).counter(EngineMetrics.REPEATED));
            Map<Reason, Counter> deadLetters = EngineMetrics.deadLetters(metrics, s);
            late.put(s, deadLetters.get(Reason.LATE));
            failures.sharing(s, deadLetters);
        }
    }

    /** Decides for {@code e}, whose id's first record was stamped {@code first} (null when none yet), at {@code watermark}; counts what it drops. */
    Verdict judge(Event e, Long first, long watermark) {
        if (first != null && Math.abs(e.ts() - first) <= horizonMillis) {
            repeated.get(e.stream()).inc();
            return Verdict.REPEATED;
        }
        if (e.late() || e.ts() <= watermark) {
            late.get(e.stream()).inc();
            return Verdict.LATE;
        }
        return Verdict.FIRST;
    }

    /** The dead letter of an event judged {@link Verdict#LATE}. */
    static DeadLetter lateDeadLetter(Event e) {
        return new DeadLetter(e.stream(), Reason.LATE, "ts " + e.ts() + " arrived behind the watermark",
                e.late() ? e.lateRaw() : RawMasking.mask("id " + e.id() + ", ts " + e.ts()), System.currentTimeMillis(), e.source());
    }

    RecordFailures failures() {
        return failures;
    }
}
