package org.yrd.linkage.engine;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.ingest.Redaction;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RawRecord;
import org.yrd.linkage.runtime.RecordFailures;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePackFile;
import org.yrd.linkage.rules.RuleValidationException;

import java.nio.charset.StandardCharsets;

/**
 * Rule-pack updates from the rules topic: each record is a whole pack as YAML. A valid pack goes
 * on (to be broadcast to every operator that uses rules); an invalid one is dead-lettered with its
 * validation messages, and the running pack stays. So does a pack whose validation throws
 * unexpectedly: every operator parses what passes here, so what fails here must not pass.
 */
public final class RuleUpdates extends ProcessFunction<RawRecord, String> {

    private transient RecordFailures failures;

    @Override
    public void open(OpenContext openContext) {
        failures = new RecordFailures("validate rule packs", getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<String> out) {
        String yaml = new String(record.value(), StandardCharsets.UTF_8);
        try {
            RulePackFile.parse("update", yaml);
            out.collect(yaml);
        } catch (RuleValidationException e) {
            ctx.output(Outputs.DEAD_LETTERS, new DeadLetter(StreamKind.RULE, DeadLetter.Reason.SCHEMA, detail(e),
                    Redaction.raw(record.value()), System.currentTimeMillis(), record.source()));
        } catch (RuntimeException | StackOverflowError e) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(e, StreamKind.RULE, Redaction.raw(record.value()), record.source()));
        }
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
