package org.yrd.linkage.engine;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.ingest.Redaction;
import org.yrd.linkage.runtime.EngineMetrics;
import org.yrd.linkage.pattern.PatternCompiler;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RawRecord;
import org.yrd.linkage.runtime.RecordFailures;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;
import org.yrd.linkage.rules.RuleValidationException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Rule-pack updates from the rules topic: each record is a whole pack as YAML. A valid pack goes
 * on (to be broadcast to every operator that uses rules); an invalid one (or one with a pattern
 * that Flink CEP refuses) is dead-lettered with its validation messages, and the running pack
 * stays. So does a pack whose validation throws unexpectedly: every operator parses what passes
 * here, so what fails here must not pass.
 *
 * <p>Its gauges say which pack is in force and since when ({@code ./linkage status} reads them):
 * the last pack published, kept in state so that a restored job still names it, or until then
 * the pack the job was started with, since the job (re)started. The operators that apply packs
 * keep them in broadcast state the same way ({@code RulePacks}).
 */
public final class RuleUpdates extends ProcessFunction<RawRecord, String> implements CheckpointedFunction {

    private final String initialId;
    private final String initialVersion;
    /** id, version and since (epoch ms) of the pack last published; empty while the initial pack applies. */
    private transient ListState<Tuple3<String, String, Long>> published;
    private transient volatile Tuple3<String, String, Long> inForce;
    private transient Map<DeadLetter.Reason, Counter> deadLetters;

    /** @param initial the pack the job was started with */
    public RuleUpdates(RulePack initial) {
        this.initialId = initial.id();
        this.initialVersion = initial.version();
    }

    private transient RecordFailures failures;

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        published = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("rule-pack-in-force", Types.TUPLE(Types.STRING, Types.STRING, Types.LONG)));
        inForce = Tuple3.of(initialId, initialVersion, System.currentTimeMillis());
        for (Tuple3<String, String, Long> p : published.get()) {
            inForce = p;
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // nothing to do: the state changes only when a pack is published
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = getRuntimeContext().getMetricGroup();
        group.gauge(EngineMetrics.RULE_PACK_ID, () -> inForce.f0);
        group.gauge(EngineMetrics.RULE_PACK_VERSION, () -> inForce.f1);
        group.gauge(EngineMetrics.RULE_PACK_SINCE, () -> inForce.f2);
        deadLetters = EngineMetrics.deadLetters(group, StreamKind.RULE);
        failures = new RecordFailures("validate rule packs", group).sharing(StreamKind.RULE, deadLetters);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<String> out) throws Exception {
        String yaml = new String(record.value(), StandardCharsets.UTF_8);
        RulePack pack;
        try {
            pack = RulePackFile.parse("update", yaml);
            List<String> refused = PatternCompiler.problems(pack);
            if (!refused.isEmpty()) {
                deadLetters.get(DeadLetter.Reason.SCHEMA).inc();
                ctx.output(Outputs.DEAD_LETTERS, new DeadLetter(StreamKind.RULE, DeadLetter.Reason.SCHEMA,
                        String.join(System.lineSeparator(), refused), Redaction.raw(record.value()), System.currentTimeMillis(), record.source()));
                return;
            }
        } catch (RuleValidationException e) {
            deadLetters.get(DeadLetter.Reason.SCHEMA).inc();
            ctx.output(Outputs.DEAD_LETTERS, new DeadLetter(StreamKind.RULE, DeadLetter.Reason.SCHEMA, detail(e),
                    Redaction.raw(record.value()), System.currentTimeMillis(), record.source()));
            return;
        } catch (RuntimeException | StackOverflowError e) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(e, StreamKind.RULE, Redaction.raw(record.value()), record.source()));
            return;
        }
        inForce = Tuple3.of(pack.id(), pack.version(), System.currentTimeMillis());
        published.update(List.of(inForce));
        out.collect(yaml);
    }

    /**
     * The validation messages, one a line, as many as fit in 4096 characters: a pack may hold any
     * number of problems, and a dead letter must stay a record a topic accepts. The first line
     * says how many there are.
     */
    static String detail(RuleValidationException e) {
        String m = e.getMessage();
        if (m.length() <= DeadLetter.MAX_RAW_CHARS) {
            return m;
        }
        return m.substring(0, m.lastIndexOf('\n', DeadLetter.MAX_RAW_CHARS)) + System.lineSeparator() + "  ...";
    }

    /**
     * Rule updates carry no event time: their source is idle for watermarks, so they neither hold
     * the events' time back nor move it. A watermark at the end of time would move it: where every
     * event input of an operator is idle (a quiet stream in the demo's mode), the operator's time
     * would be the updates' alone, and the end of time downstream fires every pending deadline at
     * once, and none after.
     */
    public static <T> WatermarkStrategy<T> timeless() {
        return WatermarkStrategy.forGenerator(ctx -> new WatermarkGenerator<T>() {
            @Override
            public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.markIdle();
            }
        });
    }
}
