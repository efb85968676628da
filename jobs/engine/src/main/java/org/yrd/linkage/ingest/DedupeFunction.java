package org.yrd.linkage.ingest;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.runtime.Outputs;

import java.time.Duration;

/**
 * Keyed by (stream, id): a record repeated within 24 h of event time has no effect beyond its first
 * copy (at-least-once producers); it is counted, not dead-lettered. Then a record that arrived
 * behind the watermark, flagged by {@link IngestOperator} or behind this operator's own watermark
 * (possible only when a quiet stream let the watermark follow the wall clock), is dead-lettered
 * LATE. State per id is bounded by a TTL a little over the 24 h, unless the job is a replay
 * ({@code expireIds} false): Flink's TTL counts processing time, so in a replay of minutes it would
 * never expire an id, while the heap backend's incremental clean-up visited entries on every
 * access (a quarter of this step's CPU). A replay's input bounds its state instead. (A replay with
 * its state on the heap de-duplicates in each file's order instead, {@link FileOrderDedupe}, with
 * the same decisions.)
 */
public class DedupeFunction extends KeyedProcessFunction<String, Event, Event> {

    private final long horizonMillis;
    private final boolean expireIds;
    private transient ValueState<Long> firstTs;
    private transient Dedupe dedupe;

    /** With {@code expireIds}, an id is forgotten a little over {@code horizon} after its first record (processing time). */
    public DedupeFunction(Duration horizon, boolean expireIds) {
        this.horizonMillis = horizon.toMillis();
        this.expireIds = expireIds;
    }

    public static String key(Event e) {
        return e.stream().ordinal() + e.id();
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Long> d = new ValueStateDescriptor<>("first-ts", Types.LONG);
        if (expireIds) {
            d.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(horizonMillis).plusHours(1))
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .build());
        }
        firstTs = getRuntimeContext().getState(d);
        dedupe = new Dedupe(horizonMillis, getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Event> out) throws Exception {
        try {
            Dedupe.Verdict verdict = dedupe.judge(e, firstTs.value(), ctx.timerService().currentWatermark());
            if (verdict == Dedupe.Verdict.FIRST) {
                firstTs.update(e.ts());
                out.collect(e);
            } else if (verdict == Dedupe.Verdict.LATE) {
                ctx.output(Outputs.DEAD_LETTERS, Dedupe.lateDeadLetter(e));
            }
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, dedupe.failures().deadLetter(x, e));
        }
    }
}
