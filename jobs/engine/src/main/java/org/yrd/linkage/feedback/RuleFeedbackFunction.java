package org.yrd.linkage.feedback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.runtime.EventTime;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RecordFailures;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Keyed by (rule, hour): the feedback figures analysts read on the rule-feedback output, one JSON
 * record per rule and hour (alerts, acknowledged, confirmed, false alarms, resolved, median time
 * to acknowledge, and the same per province). The record is written when the hour has passed in
 * event time, and again whenever a later answer changes it, so the latest record of a (rule, hour)
 * key is the current figure (a compacted topic keeps exactly that).
 */
public class RuleFeedbackFunction extends KeyedProcessFunction<String, FeedbackFact, String> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HOUR = 3_600_000L;

    private final Duration retention;
    private transient ValueState<RuleFeedback> figures;
    private transient ValueState<Boolean> published;
    private transient RecordFailures failures;

    public RuleFeedbackFunction(Duration retention) {
        this.retention = retention;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(retention).build();
        ValueStateDescriptor<RuleFeedback> f = new ValueStateDescriptor<>("figures", TypeInformation.of(RuleFeedback.class));
        ValueStateDescriptor<Boolean> p = new ValueStateDescriptor<>("published", Boolean.class);
        f.enableTimeToLive(ttl);
        p.enableTimeToLive(ttl);
        figures = getRuntimeContext().getState(f);
        published = getRuntimeContext().getState(p);
        failures = new RecordFailures("rule feedback", getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(FeedbackFact fact, Context ctx, Collector<String> out) throws Exception {
        try {
            RuleFeedback r = figures.value();
            if (r == null) {
                r = new RuleFeedback();
                ctx.timerService().registerEventTimeTimer(EventTime.plus(fact.hourStart(), HOUR));
            }
            r.add(fact);
            figures.update(r);
            if (Boolean.TRUE.equals(published.value())) {
                out.collect(json(r));
            }
        } catch (RuntimeException | StackOverflowError x) {
            // a fact comes from an ack, or (ALERTED) from an alert of its rule
            StreamKind stream = FeedbackFact.ALERTED.equals(fact.kind()) ? RecordFailures.streamOf(fact.ruleId(), List.of()) : StreamKind.ACK;
            ctx.output(Outputs.FAILURES, failures.deadLetter(x, stream,
                    "feedback " + fact.kind() + " of " + fact.ruleId() + " in " + fact.province() + ", hour " + fact.hourStart(), null));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) throws Exception {
        RuleFeedback r = figures.value();
        if (r != null) {
            out.collect(json(r));
            published.update(true);
        }
    }

    /** The record of one rule and hour. */
    public static String json(RuleFeedback r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("ruleId", r.ruleId);
        o.put("hourStart", r.hourStart);
        o.put("hour", Instant.ofEpochMilli(r.hourStart).toString());
        fill(o, r.total());
        ObjectNode provinces = o.putObject("provinces");
        for (Map.Entry<String, RuleFeedback.Counts> e : r.byProvince.entrySet()) {
            fill(provinces.putObject(e.getKey()), e.getValue());
        }
        return o.toString();
    }

    private static void fill(ObjectNode o, RuleFeedback.Counts c) {
        o.put("alerts", c.alerts);
        o.put("acknowledged", c.acknowledged);
        o.put("confirmed", c.confirmed);
        o.put("falseAlarms", c.falseAlarms);
        o.put("resolved", c.resolved);
        long median = c.medianAckMillis();
        if (median >= 0) {
            o.put("medianTimeToAckMs", median);
        } else {
            o.putNull("medianTimeToAckMs");
        }
    }
}
