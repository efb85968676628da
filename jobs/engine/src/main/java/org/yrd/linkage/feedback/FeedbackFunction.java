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
import org.yrd.linkage.runtime.TsBuckets;

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
 *
 * <p>Which answer is a province's first decides its time to acknowledge. In ordered mode (replay)
 * answers are taken in ts order as the watermark passes them (ties: province, then status), so
 * the earliest counts and the figures are the same at any parallelism and in every run; arrival
 * order between the alerts and the answers, and between answers that took different paths
 * through de-duplication, would otherwise decide. Live mode takes each answer as it arrives, so
 * that figures do not wait for the watermark.
 */
public class FeedbackFunction extends KeyedCoProcessFunction<String, AlertRevision, Event, FeedbackFact> {

    private static final long HOUR = 3_600_000L;

    /** Answers in ts order (ties by province, then status), as the watermark passes them. */
    private static final Comparator<AlertAck> ORDER = Comparator.comparingLong(AlertAck::ts)
            .thenComparing(AlertAck::province).thenComparing(AlertAck::status);

    private final Duration retention;
    private final boolean ordered;
    private transient ValueState<String> ruleId;
    private transient MapState<String, Long> firstSent;
    private transient MapState<String, Boolean> counted;
    /** Per province and status, the earliest ack whose alert was not yet sent to that province. */
    private transient MapState<String, AlertAck> waiting;
    /** Ordered mode: answers by ts, until the watermark passes them. */
    private transient MapState<Long, List<AlertAck>> arrived;
    private transient RecordFailures failures;

    /** @param ordered take answers in ts order as the watermark passes them (replay), not as they arrive */
    public FeedbackFunction(Duration retention, boolean ordered) {
        this.retention = retention;
        this.ordered = ordered;
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
        arrived = getRuntimeContext().getMapState(new MapStateDescriptor<>("acks-arrived", Types.LONG, Types.LIST(TypeInformation.of(AlertAck.class))));
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
                out.collect(new FeedbackFact(r.ruleId(), p, hourOf(r.firstSentTs()[i]), FeedbackFact.ALERTED, 0, r.firstSentTs()[i]));
            }
        }
        List<AlertAck> acks = new ArrayList<>();
        waiting.values().forEach(acks::add);
        acks.sort(ORDER);
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
            if (!ordered) {
                answer(a, out);
                return;
            }
            TsBuckets.add(arrived, a.ts(), a);
            ctx.timerService().registerEventTimeTimer(a.ts());
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(x, ack));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeedbackFact> out) throws Exception {
        List<AlertAck> due = TsBuckets.take(arrived, timestamp);
        if (due == null) {
            return;
        }
        due.sort(ORDER);
        for (AlertAck a : due) {
            try {
                answer(a, out);
            } catch (RuntimeException | StackOverflowError x) {
                ctx.output(Outputs.FAILURES, failures.deadLetter(x, Event.ack(a)));
            }
        }
    }

    /** Counts an answer, or keeps it until its alert is sent to its province. */
    private void answer(AlertAck a, Collector<FeedbackFact> out) throws Exception {
        if (!take(a, out)) {
            AlertAck before = waiting.get(waitingKey(a));
            if (before == null || a.ts() < before.ts()) {
                waiting.put(waitingKey(a), a);
            }
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
            out.collect(new FeedbackFact(rule, a.province(), hour, FeedbackFact.ACKNOWLEDGED, Math.max(0, a.ts() - sent), Math.max(a.ts(), sent)));
        }
        switch (a.status()) {
            case CONFIRMED, FALSE_ALARM, RESOLVED -> {
                if (!counted.contains(a.province() + "|" + a.status())) {
                    counted.put(a.province() + "|" + a.status(), true);
                    out.collect(new FeedbackFact(rule, a.province(), hour, a.status().name(), 0, Math.max(a.ts(), sent)));
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
