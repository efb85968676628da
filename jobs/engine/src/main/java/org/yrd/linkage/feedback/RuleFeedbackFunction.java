package org.yrd.linkage.feedback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.runtime.EventTime;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RecordFailures;
import org.yrd.linkage.runtime.TsBuckets;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keyed by (rule, hour): the feedback figures analysts read on the rule-feedback output, one JSON
 * record per rule and hour (alerts, acknowledged, confirmed, false alarms, resolved, median time
 * to acknowledge, and the same per province). The record is written when the hour has passed in
 * event time, and again whenever a later answer changes it, so the latest record of a (rule, hour)
 * key is the current figure (a compacted topic keeps exactly that).
 *
 * <p>In ordered mode (replay) the facts wait for the watermark and are taken in ts order, those
 * stamped up to the hour's end before it is written, later ones as updates after it; so
 * {@code rule-feedback.jsonl} is the same, record for record, in every run and at any parallelism,
 * not only in its last record per key. Live mode takes each fact as it arrives.
 */
public class RuleFeedbackFunction extends KeyedProcessFunction<String, FeedbackFact, String> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HOUR = 3_600_000L;

    /** Facts of one timestamp in a fixed order, so that replay's updates come out the same in every run. */
    private static final Comparator<FeedbackFact> FACT_ORDER = Comparator.comparing(FeedbackFact::province)
            .thenComparing(FeedbackFact::kind).thenComparingLong(FeedbackFact::ackMillis);

    private final Duration retention;
    private final boolean ordered;
    private transient ValueState<RuleFeedback> figures;
    private transient ValueState<Boolean> published;
    /** Ordered mode: facts by ts, until the watermark passes them. */
    private transient MapState<Long, List<FeedbackFact>> arrived;
    private transient RecordFailures failures;

    /** @param ordered take facts in ts order as the watermark passes them (replay), not as they arrive */
    public RuleFeedbackFunction(Duration retention, boolean ordered) {
        this.retention = retention;
        this.ordered = ordered;
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
        arrived = getRuntimeContext().getMapState(new MapStateDescriptor<>("facts-arrived", Types.LONG,
                Types.LIST(TypeInformation.of(FeedbackFact.class))));
        failures = new RecordFailures("rule feedback", getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(FeedbackFact fact, Context ctx, Collector<String> out) throws Exception {
        if (!ordered || fact.ts() <= ctx.timerService().currentWatermark()) {
            take(fact, ctx, out);
            return;
        }
        TsBuckets.add(arrived, fact.ts(), fact);
        ctx.timerService().registerEventTimeTimer(fact.ts());
    }

    /** Adds a fact to its hour's figures, and sends them again once they were published. */
    private void take(FeedbackFact fact, Context ctx, Collector<String> out) throws Exception {
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
        if (ordered) {
            List<FeedbackFact> due = TsBuckets.take(arrived, timestamp);
            if (due != null) {
                due.sort(FACT_ORDER);
                for (FeedbackFact f : due) {
                    take(f, ctx, out);
                }
            }
        }
        RuleFeedback r = figures.value();
        if (r != null && !Boolean.TRUE.equals(published.value()) && timestamp >= EventTime.plus(r.hourStart, HOUR)) {
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
        // in code order whatever map the state backend gave back (a POJO's map is a HashMap after a round trip through RocksDB)
        for (Map.Entry<String, RuleFeedback.Counts> e : new TreeMap<>(r.byProvince).entrySet()) {
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
