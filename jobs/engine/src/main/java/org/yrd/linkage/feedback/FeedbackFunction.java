package org.yrd.linkage.feedback;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.model.AlertAck;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RecordFailures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The provinces' feedback loop (情报线索传递、核查、反馈), keyed by alert id: joins each alert with
 * the acknowledgements of the provinces it was sent to, and states what happened as
 * {@link FeedbackFact}s: first sent, acknowledged (and how fast), confirmed, false alarm,
 * resolved, each once per alert and province. Escalations are not rules and are left out.
 *
 * <p>State per alert id is bounded whatever comes in: besides the alert's own figures, acks that
 * arrive before their alert wait as one per province and status (the earliest), since a province
 * may acknowledge the same alert any number of times and only the first of each kind counts.
 */
public class FeedbackFunction extends KeyedCoProcessFunction<String, AlertRevision, Event, FeedbackFact> {

    private static final long HOUR = 3_600_000L;

    private final Duration retention;
    private transient ValueState<String> ruleId;
    private transient MapState<String, Long> firstSent;
    private transient MapState<String, Boolean> counted;
    /** Per province and status, the earliest ack whose alert was not yet sent to that province. */
    private transient MapState<String, AlertAck> waiting;
    private transient RecordFailures failures;

    public FeedbackFunction(Duration retention) {
        this.retention = retention;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(retention).build();
        ValueStateDescriptor<String> rule = new ValueStateDescriptor<>("rule", Types.STRING);
        MapStateDescriptor<String, Long> sent = new MapStateDescriptor<>("first-sent", Types.STRING, Types.LONG);
        MapStateDescriptor<String, Boolean> done = new MapStateDescriptor<>("counted", Types.STRING, Types.BOOLEAN);
        MapStateDescriptor<String, AlertAck> acks = new MapStateDescriptor<>("acks-waiting", Types.STRING, TypeInformation.of(AlertAck.class));
        for (var d : List.of(rule, sent, done, acks)) {
            d.enableTimeToLive(ttl);
        }
        ruleId = getRuntimeContext().getState(rule);
        firstSent = getRuntimeContext().getMapState(sent);
        counted = getRuntimeContext().getMapState(done);
        waiting = getRuntimeContext().getMapState(acks);
        failures = new RecordFailures("feedback", getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement1(AlertRevision r, Context ctx, Collector<FeedbackFact> out) throws Exception {
        try {
            alert(r, out);
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(x, r));
        }
    }

    private void alert(AlertRevision r, Collector<FeedbackFact> out) throws Exception {
        if (r.kind() == AlertKind.ESCALATION || r.withdrawn()) {
            return;
        }
        ruleId.update(r.ruleId());
        for (int i = 0; i < r.firstSentProvinces().length; i++) {
            String p = r.firstSentProvinces()[i];
            if (!firstSent.contains(p)) {
                firstSent.put(p, r.firstSentTs()[i]);
                out.collect(new FeedbackFact(r.ruleId(), p, hourOf(r.firstSentTs()[i]), FeedbackFact.ALERTED, 0));
            }
        }
        List<AlertAck> acks = new ArrayList<>();
        waiting.values().forEach(acks::add);
        acks.sort(Comparator.comparingLong(AlertAck::ts));
        for (AlertAck a : acks) {
            if (take(a, out)) {
                waiting.remove(waitingKey(a));
            }
        }
    }

    @Override
    public void processElement2(Event ack, Context ctx, Collector<FeedbackFact> out) throws Exception {
        try {
            AlertAck a = ack.ack();
            if (!take(a, out)) {
                AlertAck before = waiting.get(waitingKey(a));
                if (before == null || a.ts() < before.ts()) {
                    waiting.put(waitingKey(a), a);
                }
            }
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(x, ack));
        }
    }

    private static String waitingKey(AlertAck a) {
        return a.province() + '|' + a.status();
    }

    /** Counts an ack once its alert was sent to its province; false while that is not known yet. */
    private boolean take(AlertAck a, Collector<FeedbackFact> out) throws Exception {
        Long sent = firstSent.get(a.province());
        String rule = ruleId.value();
        if (sent == null || rule == null) {
            return false;
        }
        long hour = hourOf(sent);
        if (!counted.contains(a.province() + "|ack")) {
            counted.put(a.province() + "|ack", true);
            out.collect(new FeedbackFact(rule, a.province(), hour, FeedbackFact.ACKNOWLEDGED, Math.max(0, a.ts() - sent)));
        }
        switch (a.status()) {
            case CONFIRMED, FALSE_ALARM, RESOLVED -> {
                if (!counted.contains(a.province() + "|" + a.status())) {
                    counted.put(a.province() + "|" + a.status(), true);
                    out.collect(new FeedbackFact(rule, a.province(), hour, a.status().name(), 0));
                }
            }
            default -> { }
        }
        return true;
    }

    static long hourOf(long ts) {
        return ts - Math.floorMod(ts, HOUR);
    }
}
