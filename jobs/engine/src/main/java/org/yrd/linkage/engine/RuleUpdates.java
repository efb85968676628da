package org.yrd.linkage.engine;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.ingest.Redaction;
import org.yrd.linkage.pattern.PatternCompiler;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RawRecord;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePackFile;
import org.yrd.linkage.rules.RuleValidationException;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Rule-pack updates from the rules topic: each record is a whole pack as YAML. A valid pack goes
 * on (to be broadcast to every operator that uses rules); an invalid one (or one with a pattern
 * that Flink CEP refuses) is dead-lettered with its validation messages, and the running pack stays.
 */
public final class RuleUpdates extends ProcessFunction<RawRecord, String> {

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<String> out) {
        String yaml = new String(record.value(), StandardCharsets.UTF_8);
        try {
            List<String> refused = PatternCompiler.problems(RulePackFile.parse("update", yaml));
            if (refused.isEmpty()) {
                out.collect(yaml);
            } else {
                deadLetter(record, ctx, String.join(System.lineSeparator(), refused));
            }
        } catch (RuleValidationException e) {
            deadLetter(record, ctx, e.getMessage());
        } catch (RuntimeException e) {
            // a pack that trips the validator itself must not stop the engine either
            deadLetter(record, ctx, "the pack could not be validated: " + e);
        }
    }

    private static void deadLetter(RawRecord record, Context ctx, String detail) {
        ctx.output(Outputs.DEAD_LETTERS, new DeadLetter(StreamKind.RULE, DeadLetter.Reason.SCHEMA, detail,
                Redaction.raw(record.value()), System.currentTimeMillis(), record.source()));
    }

    /** Rule updates carry no event time: their watermark is at the end of time, so they never hold others back. */
    public static <T> WatermarkStrategy<T> timeless() {
        return WatermarkStrategy.forGenerator(ctx -> new WatermarkGenerator<T>() {
            @Override
            public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.emitWatermark(new Watermark(Long.MAX_VALUE));
            }
        });
    }
}
