package org.yrd.linkage.alerting;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.chain.Revisions;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.chain.Generations;
import org.yrd.linkage.runtime.EngineMetrics;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RecordFailures;
import org.yrd.linkage.model.AlertAck;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.runtime.EventTime;
import org.yrd.linkage.runtime.TsBuckets;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * ESC-ACK (rules-v1.md), keyed by alert id: every alert revision passes through at once, and is
 * taken into account when the watermark reaches its detectedTs; for each province
 * that first received the alert at detectedTs d with a severity that has an SLA, an event-time
 * timer at d + SLA escalates to YRD and that province unless an ack from it with ts <= d + SLA, or
 * a CANCEL stamped at or before the deadline, was seen. Timers fire on the watermark; in live mode
 * the ingestion operators advance it with the wall clock through quiet periods (see
 * {@code IngestOperator}), so escalations fire on time when nothing comes in. An escalation follows
 * the escalated alert's later updates; it stays when that alert is cancelled afterwards.
 *
 * <p>Every alert record leaves the engine through here, so this is also where a revision that could
 * not be written (its record would not render, or would be larger than a topic accepts) becomes a
 * dead letter instead of failing the sink; so does a revision or ack this step throws on.
 */
public class EscalationFunction extends KeyedCoProcessFunction<String, AlertRevision, Event, AlertRevision>
        implements CheckpointedFunction {

    private static final long HOUR = 3_600_000L;

    private final long retentionMillis;

    private transient MapState<Long, List<AlertRevision>> arrived;
    private transient ValueState<AlertRevision> latest;
    private transient ValueState<Long> cancelledAt;
    private transient ValueState<Long> lastActivity;
    private transient MapState<String, Deadline> deadlines;
    private transient MapState<String, Long> firstAck;
    private transient Generations generations;
    private transient Map<String, Counter> alertRecords;
    private transient Map<String, Counter> escalationCounters;
    private transient Map<String, long[]> awaiting;
    private transient Histogram eventTimeLag;
    private transient RecordFailures failures;

    /**
     * @param retention how long after its last revision or ack an alert is remembered here; longer
     *     than any rule lets an alert keep changing
     */
    public EscalationFunction(Duration retention) {
        this.retentionMillis = retention.toMillis();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        generations = Generations.initialize(context);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        generations.snapshot();
    }

    @Override
    public void open(OpenContext openContext) {
        arrived = getRuntimeContext().getMapState(new MapStateDescriptor<>("arrived", Types.LONG,
                Types.LIST(TypeInformation.of(AlertRevision.class))));
        latest = getRuntimeContext().getState(new ValueStateDescriptor<>("latest", TypeInformation.of(AlertRevision.class)));
        cancelledAt = getRuntimeContext().getState(new ValueStateDescriptor<>("cancelled-at", Types.LONG));
        lastActivity = getRuntimeContext().getState(new ValueStateDescriptor<>("last-activity", Types.LONG));
        deadlines = getRuntimeContext().getMapState(new MapStateDescriptor<>("deadlines", Types.STRING, TypeInformation.of(Deadline.class)));
        firstAck = getRuntimeContext().getMapState(new MapStateDescriptor<>("first-ack", Types.STRING, Types.LONG));
        alertRecords = new HashMap<>();
        escalationCounters = new HashMap<>();
        awaiting = new HashMap<>();
        failures = new RecordFailures("ESC-ACK", getRuntimeContext().getMetricGroup());
        eventTimeLag = getRuntimeContext().getMetricGroup().histogram(EngineMetrics.EVENT_TIME_LAG, new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void processElement1(AlertRevision r, Context ctx, Collector<AlertRevision> out) throws Exception {
        try {
            emit(r, out);
            TsBuckets.add(arrived, r.detectedTs(), r);
            ctx.timerService().registerEventTimeTimer(r.detectedTs());
            touch(ctx, r.detectedTs());
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(x, r));
        }
    }

    /** Takes a revision into account at its event time, so escalations do not depend on arrival timing. */
    private void take(AlertRevision r, OnTimerContext ctx, Collector<AlertRevision> out) throws Exception {
        if (r.msgType() == MsgType.CANCEL) {
            if (r.withdrawn()) {
                forgetPendingDeadlines();
            } else {
                Long at = cancelledAt.value();
                cancelledAt.update(at == null ? r.detectedTs() : Math.min(at, r.detectedTs()));
            }
            return;
        }
        AlertRevision before = latest.value();
        if (before != null && before.revision() >= r.revision()) {
            return;
        }
        latest.update(r);
        for (int i = 0; i < r.firstSentProvinces().length; i++) {
            long sla = r.firstSentSlaMillis()[i];
            if (sla <= 0) {
                continue;
            }
            String province = r.firstSentProvinces()[i];
            long due = EventTime.plus(r.firstSentTs()[i], sla);
            Deadline d = deadlines.get(province);
            if (d == null || (d.escalationRevision == 0 && !d.settled && d.deadline != due)) {
                if (d == null) {
                    awaiting(province)[0]++;
                }
                d = new Deadline();
                d.deadline = due;
                d.slaMinutes = Duration.ofMillis(sla).toMinutes();
                deadlines.put(province, d);
                ctx.timerService().registerEventTimeTimer(due);
            }
        }
        for (Map.Entry<String, Deadline> e : deadlines.entries()) {
            Deadline d = e.getValue();
            if (d.escalationRevision > 0) {
                int revision = generations.nextRevision(d.escalationRevision, d.generation);
                emit(Revisions.escalation(r, e.getKey(), revision, false, d.deadline, d.slaMinutes), out);
                d.escalationRevision = revision;
                d.generation = generations.current();
                deadlines.put(e.getKey(), d);
            }
        }
    }

    @Override
    public void processElement2(Event ack, Context ctx, Collector<AlertRevision> out) throws Exception {
        try {
            AlertAck a = ack.ack();
            Long first = firstAck.get(a.province());
            if (first == null || a.ts() < first) {
                firstAck.put(a.province(), a.ts());
            }
            touch(ctx, a.ts());
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(x, ack));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertRevision> out) throws Exception {
        List<AlertRevision> due = TsBuckets.take(arrived, timestamp);
        if (due != null) {
            due.sort(Comparator.comparingInt(AlertRevision::revision));
            for (AlertRevision r : due) {
                try {
                    take(r, ctx, out);
                } catch (RuntimeException | StackOverflowError x) {
                    ctx.output(Outputs.FAILURES, failures.deadLetter(x, r));
                }
            }
        }
        AlertRevision alert = latest.value();
        Long cancelled = cancelledAt.value();
        for (Map.Entry<String, Deadline> e : deadlines.entries()) {
            Deadline d = e.getValue();
            if (d.settled || d.escalationRevision > 0 || d.deadline != timestamp) {
                continue;
            }
            Long acked = firstAck.get(e.getKey());
            awaiting(e.getKey())[0]--;
            if ((acked != null && acked <= d.deadline) || (cancelled != null && cancelled <= d.deadline) || alert == null) {
                d.settled = true;
            } else {
                try {
                    int revision = generations.nextRevision(0, 0);
                    emit(Revisions.escalation(alert, e.getKey(), revision, true, d.deadline, d.slaMinutes), out);
                    d.escalationRevision = revision;
                    d.generation = generations.current();
                    escalationCounter(e.getKey()).inc();
                } catch (RuntimeException | StackOverflowError x) {
                    ctx.output(Outputs.FAILURES, failures.deadLetter(x, alert));
                    d.settled = true;
                }
            }
            deadlines.put(e.getKey(), d);
        }
        Long last = lastActivity.value();
        if (last != null && timestamp >= EventTime.plus(last, retentionMillis)) {
            latest.clear();
            cancelledAt.clear();
            lastActivity.clear();
            deadlines.clear();
            firstAck.clear();
        }
    }

    /**
     * Passes a record on and counts it by rule, msgType and recipient.
     *
     * @throws IllegalStateException when its record would be larger than a topic accepts; a record
     *     that does not render throws what rendering threw. Either way nothing is passed on.
     */
    private void emit(AlertRevision r, Collector<AlertRevision> out) {
        // the records of one revision differ only in their recipient code: one stands for all
        if (r.recipients().length > 0) {
            int bytes = AlertJson.alert(r, r.recipients()[0]).getBytes(StandardCharsets.UTF_8).length;
            if (bytes > AlertJson.MAX_RECORD_BYTES) {
                throw new IllegalStateException("its record would be " + bytes + " bytes, more than the "
                        + AlertJson.MAX_RECORD_BYTES + " a record may have");
            }
        }
        out.collect(r);
        for (String recipient : r.recipients()) {
            alertRecords.computeIfAbsent(r.ruleId() + ' ' + r.msgType() + ' ' + recipient, k -> getRuntimeContext().getMetricGroup()
                    .addGroup(EngineMetrics.RULE, r.ruleId()).addGroup(EngineMetrics.MSG_TYPE, r.msgType().name())
                    .addGroup(EngineMetrics.RECIPIENT, recipient).counter(EngineMetrics.ALERT_RECORDS)).inc();
        }
        if (r.detectedTs() > 0) {
            eventTimeLag.update(r.emittedAt() - r.detectedTs());
        }
    }

    private Counter escalationCounter(String province) {
        return escalationCounters.computeIfAbsent(province, p -> getRuntimeContext().getMetricGroup()
                .addGroup(EngineMetrics.PROVINCE, p).counter(EngineMetrics.ESCALATIONS));
    }

    /** Deadlines of this subtask not yet passed, per province (a gauge; it restarts at 0 after a restore). */
    private long[] awaiting(String province) {
        return awaiting.computeIfAbsent(province, p -> {
            long[] n = new long[1];
            getRuntimeContext().getMetricGroup().addGroup(EngineMetrics.PROVINCE, p).gauge(EngineMetrics.AWAITING_ACK, () -> n[0]);
            return n;
        });
    }

    private void forgetPendingDeadlines() throws Exception {
        for (Map.Entry<String, Deadline> e : deadlines.entries()) {
            if (e.getValue().escalationRevision == 0 && !e.getValue().settled) {
                awaiting(e.getKey())[0]--;
                e.getValue().settled = true;
                deadlines.put(e.getKey(), e.getValue());
            }
        }
    }

    /**
     * Notes activity at {@code ts}: the alert is forgotten once it has been quiet for the retention.
     * The cleanup timer is set to the next full hour, so that an alert that keeps changing (an
     * incident open for weeks) holds at most one timer per hour of the retention, not one per revision.
     */
    private void touch(Context ctx, long ts) throws Exception {
        Long last = lastActivity.value();
        if (last == null || ts > last) {
            lastActivity.update(ts);
            long end = EventTime.plus(ts, retentionMillis);
            // whole hours, so that one timer serves an alert's revisions within the hour; saturated near the end of time
            ctx.timerService().registerEventTimeTimer(end > Long.MAX_VALUE - HOUR ? Long.MAX_VALUE : -Math.floorDiv(-end, HOUR) * HOUR);
        }
    }
}
