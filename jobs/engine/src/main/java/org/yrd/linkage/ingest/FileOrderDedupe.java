package org.yrd.linkage.ingest;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.runtime.Outputs;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * De-duplication for a replay, chained to one stream's ingestion. Replay reads each stream from
 * one file, with one reader, in the file's order: every copy of an id passes here in the order in
 * which the keyed {@link DedupeFunction} would see it, and the same decisions follow (see
 * {@link Dedupe}), without sending every event across the network to a keyed step first. Ids are
 * kept on the heap for the replay: it takes no checkpoints, and its input bounds them; a replay
 * whose input is too large for its state on the heap keeps them in RocksDB with the keyed step.
 */
public class FileOrderDedupe extends ProcessFunction<Event, Event> {

    private final long horizonMillis;
    /** The ts of each id's first record, by stream (there is one here, but an id is only a repeat within its stream). */
    private transient Map<StreamKind, Map<String, Long>> firstTs;
    private transient Dedupe dedupe;

    public FileOrderDedupe(Duration horizon) {
        this.horizonMillis = horizon.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        firstTs = new EnumMap<>(StreamKind.class);
        dedupe = new Dedupe(horizonMillis, getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Event> out) {
        try {
            Map<String, Long> ids = firstTs.computeIfAbsent(e.stream(), s -> new HashMap<>());
            Dedupe.Verdict verdict = dedupe.judge(e, ids.get(e.id()), ctx.timerService().currentWatermark());
            if (verdict == Dedupe.Verdict.FIRST) {
                ids.put(e.id(), e.ts());
                out.collect(e);
            } else if (verdict == Dedupe.Verdict.LATE) {
                ctx.output(Outputs.DEAD_LETTERS, Dedupe.lateDeadLetter(e));
            }
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, dedupe.failures().deadLetter(x, e));
        }
    }
}
