package org.yrd.linkage.ingest;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.yrd.linkage.runtime.EngineMetrics;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RecordFailures;
import org.yrd.linkage.model.StreamKind;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.DeadLetter.Reason;
import org.yrd.linkage.model.Event;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed by (stream, id): a record repeated within 24 h of event time has no effect beyond its first
 * copy (at-least-once producers); it is counted, not dead-lettered. Then a record that arrived
 * behind the watermark, flagged by {@link IngestOperator} or behind this operator's own watermark
 * (possible only when a quiet stream let the watermark follow the wall clock), is dead-lettered
 * LATE. State per id is bounded by a TTL a little over the 24 h, unless the job is a replay
 * ({@code expireIds} false): Flink's TTL counts processing time, so in a replay of minutes it would
 * never expire an id, while the heap backend's incremental clean-up visited entries on every
 * access (a quarter of this step's CPU). A replay's input bounds its state instead.
 */
public class DedupeFunction extends KeyedProcessFunction<String, Event, Event> {

    private final long horizonMillis;
    private final boolean expireIds;
    private transient ValueState<Long> firstTs;
    private transient Map<StreamKind, Counter> repeated;
    private transient Map<StreamKind, Counter> late;
    private transient RecordFailures failures;

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
        repeated = new EnumMap<>(StreamKind.class);
        late = new EnumMap<>(StreamKind.class);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        failures = new RecordFailures("dedupe", metrics);
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
            repeated.put(s, metrics.addGroup(EngineMetrics.STREAM, s.name()).counter(EngineMetrics.REPEATED));
            Map<Reason, Counter> deadLetters = EngineMetrics.deadLetters(metrics, s);
            late.put(s, deadLetters.get(Reason.LATE));
            failures.sharing(s, deadLetters);
        }
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Event> out) throws Exception {
        try {
            dedupe(e, ctx, out);
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(x, e));
        }
    }

    private void dedupe(Event e, Context ctx, Collector<Event> out) throws Exception {
        Long first = firstTs.value();
        if (first != null && Math.abs(e.ts() - first) <= horizonMillis) {
            repeated.get(e.stream()).inc();
            return;
        }
        if (e.late() || e.ts() <= ctx.timerService().currentWatermark()) {
            late.get(e.stream()).inc();
            ctx.output(Outputs.DEAD_LETTERS, new DeadLetter(e.stream(), Reason.LATE,
                    "ts " + e.ts() + " arrived behind the watermark",
                    e.late() ? e.lateRaw() : RawMasking.mask("id " + e.id() + ", ts " + e.ts()), System.currentTimeMillis(), e.source()));
            return;
        }
        firstTs.update(e.ts());
        out.collect(e);
    }
}
