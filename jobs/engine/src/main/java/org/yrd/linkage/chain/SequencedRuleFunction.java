package org.yrd.linkage.chain;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.chain.Revisions;
import org.yrd.linkage.runtime.EngineMetrics;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RecordFailures;
import org.yrd.linkage.runtime.RulePacks;
import org.yrd.linkage.runtime.TsBuckets;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one sequential rule per key so that alerts never wait for the watermark and yet always end
 * as the ts-ordered semantics of rules-v1.md demand.
 *
 * <p>Events wait in {@code pending} until the watermark passes them; then they are applied in ts
 * order (ties: stream, then id) to the <em>committed</em> state, which is final. In speculative
 * mode (live) every arriving event also folds a throw-away copy of the committed state with all
 * pending events in order, and whatever differs from what recipients already hold goes out at once
 * as ALERT, UPDATE or CANCEL. An earlier-stamped event that arrives late thus reorders the fold and
 * corrects the alerts it proves wrong. In ordered mode (replay) revisions go out as events commit,
 * so the whole revision sequence, not only the final state, is the same at any parallelism.
 *
 * <p>A job in ordered mode that takes no checkpoints (replay) keeps waiting events in memory
 * ({@link WaitingInMemory}, up to {@link #WAITING_IN_MEMORY} per subtask, the rest in
 * {@code pending}): they need not survive a failure, and RocksDB made each one cost a write, a
 * read, a delete and two serialisations. It also keeps each key's times (its events' ts and its
 * wake-ups) there, with one timer per key at the earliest: when the timer fires, every time the
 * watermark has passed is committed in order, as one timer per time would have done.
 *
 * <p>An event the rule throws on (a bug, or input no one foresaw) becomes a dead letter
 * ({@link RecordFailures}) and is never applied again: speculation drops it from the waiting
 * events, and a commit goes on with the next event, the state keeping what the rule did before it
 * threw. A revision that cannot be built becomes a dead letter of its alert, and the alert is
 * reconciled again when the chain next changes.
 *
 * <p>Why not Flink CEP for the six rules: in event time CEP's operator releases an event only
 * when the watermark passes it, which the timeliness contract forbids; and the rules' anchors (an
 * event opens a chain only when it joins no open one) make them folds over ordered events rather
 * than sequence patterns. The analysts' own patterns do run on CEP's automaton, fed by this class
 * ({@code pattern/PatternFunction}), which gives them the same timeliness.
 *
 * @param <S> the rule's per-key state
 */
public abstract class SequencedRuleFunction<S> extends KeyedBroadcastProcessFunction<String, Routed, String, AlertRevision>
        implements CheckpointedFunction {

    /** Waiting events a subtask of a job without checkpoints keeps in memory before it uses state: some 50 MB. */
    static final int WAITING_IN_MEMORY = 100_000;

    private final boolean speculative;
    /** How many waiting events a subtask keeps in memory; 0: none, all wait in {@code pending}. */
    private int waitingInMemoryLimit;
    private final RulePacks packs;
    private transient RulePack pack;

    private transient MapState<Long, List<Event>> pending;
    /** Replay's waiting events and wake-ups in memory, a timer per key; null when events wait in {@code pending}, a timer each. */
    private transient WaitingInMemory inMemory;
    /** Whether {@link #onTimer} is committing the current key's schedule (it sets the key's next timer itself). */
    private transient boolean draining;
    private transient MapState<String, Emitted> emitted;
    private transient ValueState<List<String>> dirty;
    private transient String currentKey;
    private transient Generations generations;
    private transient RecordFailures failures;
    /** Chains opened and closed by committed folds of this subtask since it started (a gauge, not state). */
    private transient long openedChains;
    private transient long closedChains;

    protected SequencedRuleFunction(RulePack pack, boolean speculative) {
        this.packs = new RulePacks(pack);
        this.speculative = speculative;
    }

    /**
     * Keeps waiting events in memory (up to {@link #WAITING_IN_MEMORY} per subtask, the rest in
     * state): only for a job in ordered mode that takes no checkpoints, i.e. replay.
     *
     * @throws IllegalStateException in speculative mode, which folds every waiting event from state
     */
    public final SequencedRuleFunction<S> waitInMemory() {
        return waitInMemory(WAITING_IN_MEMORY);
    }

    /** As {@link #waitInMemory()}, holding at most {@code limit} events in memory per subtask. */
    public final SequencedRuleFunction<S> waitInMemory(int limit) {
        if (speculative) {
            throw new IllegalStateException(ruleId() + ": speculative mode keeps waiting events in state");
        }
        waitingInMemoryLimit = limit;
        return this;
    }

    /** The rule pack in force for the event or timer being handled. */
    protected final RulePack pack() {
        return pack;
    }

    /** What a rule may do while it applies an event or expires state. */
    protected interface Effects {
        /** The chain changed (or may have): its alert is reconciled with what recipients hold. */
        void touched(Chain chain);

        /** A new incident, episode, cluster, case or burst was opened (counted in metrics). */
        void opened();

        /** The chain can change no more; what was sent of it may be forgotten. */
        void finalised(String alertId);

        /** Call {@link #expire} again once the watermark reaches {@code ts}. */
        void wakeAt(long ts);
    }

    protected abstract void openRuleState();

    /** The rule's id, e.g. INC-CASCADE, for metrics. */
    protected abstract String ruleId();

    /** The key whose events are being applied. */
    protected final String currentKey() {
        return currentKey;
    }

    protected abstract S loadCommitted() throws Exception;

    protected abstract void saveCommitted(S state) throws Exception;

    /** A copy of the committed state that the rule may change freely and that is then dropped. */
    protected abstract S loadSpeculative() throws Exception;

    /** Applies one event, taken in ts order, to the state. */
    protected abstract void apply(S state, Event event, Effects effects) throws Exception;

    /** The chain behind an alert id, including one absorbed by a merge; null when there is none. */
    protected abstract Chain chain(S state, String alertId) throws Exception;

    /** Drops what can no longer change once the watermark is at {@code watermark}. */
    protected abstract void expire(S state, long watermark, Effects effects) throws Exception;

    /** Removes the rule's chains of every key (the rule's structure changed in a live update). */
    protected abstract void clearRuleState(Context ctx) throws Exception;

    /** Whether the rule is switched on in a pack; events that arrive while it is off are not kept. */
    protected boolean enabledIn(RulePack pack) {
        return pack.enabled(ruleId());
    }

    /** What defines the rule's chains in a pack: when it changes in a live update, the rule starts fresh. */
    protected Object structureIn(RulePack pack) {
        return pack.structureOf(ruleId());
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        generations = Generations.initialize(context);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        if (inMemory != null && !inMemory.isEmpty()) {
            throw new IllegalStateException(ruleId() + ": a job without checkpoints keeps " + inMemory.size()
                    + " waiting events and its keys' wake-ups in memory, which a savepoint cannot hold; enable checkpointing to take savepoints");
        }
        generations.snapshot();
    }

    private static final MapStateDescriptor<Long, List<Event>> PENDING =
            new MapStateDescriptor<>("pending", Types.LONG, Types.LIST(TypeInformation.of(Event.class)));
    private static final ValueStateDescriptor<List<String>> SPECULATED =
            new ValueStateDescriptor<>("speculated", TypeInformation.of(new TypeHint<List<String>>() {}));

    @Override
    public void open(OpenContext openContext) throws Exception {
        pack = packs.initial();
        pending = getRuntimeContext().getMapState(PENDING);
        emitted = getRuntimeContext().getMapState(new MapStateDescriptor<>(
                "emitted", Types.STRING, TypeInformation.of(Emitted.class)));
        dirty = getRuntimeContext().getState(SPECULATED);
        inMemory = waitingInMemoryLimit > 0 ? new WaitingInMemory(waitingInMemoryLimit) : null;
        openRuleState();
        failures = new RecordFailures(ruleId(), getRuntimeContext().getMetricGroup());
        getRuntimeContext().getMetricGroup().addGroup(EngineMetrics.RULE, ruleId())
                .gauge(EngineMetrics.OPEN_CHAINS, () -> openedChains - closedChains);
    }

    @Override
    public void processElement(Routed in, ReadOnlyContext ctx, Collector<AlertRevision> out) throws Exception {
        currentKey = ctx.getCurrentKey();
        pack = packs.current(ctx.getBroadcastState(RulePacks.STATE));
        if (!enabledIn(pack)) {
            return;
        }
        Event e = in.event();
        try {
            if (inMemory != null) {
                holdInMemory(ctx.timerService(), e);
            } else {
                TsBuckets.add(pending, e.ts(), e);
                ctx.timerService().registerEventTimeTimer(e.ts());
            }
            if (speculative) {
                speculate(ctx, e.ts(), out);
            }
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(x, e));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertRevision> out) throws Exception {
        currentKey = ctx.getCurrentKey();
        pack = packs.current(ctx.getBroadcastState(RulePacks.STATE));
        if (inMemory == null) {
            commit(timestamp, ctx, out);
            return;
        }
        // the key's one timer: commit every time of its schedule that the watermark has passed, in order
        long watermark = ctx.timerService().currentWatermark();
        long ts = inMemory.earliest(currentKey);
        draining = true;
        try {
            while (ts != WaitingInMemory.NONE && ts <= watermark) {
                commit(ts, ctx, out);
                ts = inMemory.earliest(currentKey);
            }
        } finally {
            draining = false;
        }
        if (ts != WaitingInMemory.NONE) {
            ctx.timerService().registerEventTimeTimer(ts);
        }
    }

    /** Applies the current key's events stamped {@code ts} to the committed state, expires it at {@code ts}, and reconciles. */
    private void commit(long ts, OnTimerContext ctx, Collector<AlertRevision> out) throws Exception {
        S state = loadCommitted();
        Fold fold = new Fold(ctx, true);
        List<Event> due = takeDue(ts);
        if (due != null) {
            due.sort(Event.TS_ORDER);
            for (Event e : due) {
                if (fold.apply(state, e) && !speculative) {
                    reconcile(fold.touched, ctx, ts, out);
                }
                fold.touched.clear();
            }
        }
        fold.expire(state, ts);
        saveCommitted(state);
        // in speculative mode only what expiry itself changed (a match that time completes,
        // which no arrival would reveal) is left to reconcile here
        reconcile(fold.touched, ctx, ts, out);
        for (String id : fold.finalised) {
            emitted.remove(id);
        }
    }

    /** Holds {@code e} in memory (in {@code pending} when memory is full) on the current key's schedule. */
    private void holdInMemory(TimerService timers, Event e) throws Exception {
        long before = inMemory.earliest(currentKey);
        if (!inMemory.offer(currentKey, e)) {
            TsBuckets.add(pending, e.ts(), e);
            inMemory.schedule(currentKey, e.ts());
        }
        keepTimerAtEarliest(timers, before, e.ts());
    }

    /** Puts a wake-up at {@code ts} on the current key's schedule. */
    private void wakeInMemory(TimerService timers, long ts) {
        long before = inMemory.earliest(currentKey);
        inMemory.schedule(currentKey, ts);
        keepTimerAtEarliest(timers, before, ts);
    }

    /** Sets a timer at {@code ts} when it is the current key's earliest time now, unless {@link #onTimer} is committing the key's schedule (it sets the next timer itself). */
    private void keepTimerAtEarliest(TimerService timers, long before, long ts) {
        if (!draining && (before == WaitingInMemory.NONE || ts < before)) {
            timers.registerEventTimeTimer(ts);
        }
    }

    /** The current key's waiting events stamped {@code ts}, taken out of memory and state; null or empty when there are none. */
    private List<Event> takeDue(long ts) throws Exception {
        List<Event> due = inMemory == null ? null : inMemory.take(currentKey, ts);
        if (inMemory == null || inMemory.overflowed()) {
            List<Event> stored = TsBuckets.take(pending, ts);
            if (stored != null) {
                if (due == null) {
                    due = stored;
                } else {
                    due.addAll(stored);
                }
            }
        }
        return due;
    }

    /**
     * A new rule pack. Parameters apply to the events taken from now on, and open chains keep their
     * evidence; when the rule's structure changed, its chains and waiting events are dropped and
     * it starts fresh (what recipients hold stays, so revision numbers continue).
     */
    @Override
    public void processBroadcastElement(String yaml, Context ctx, Collector<AlertRevision> out) throws Exception {
        RulePack before = packs.current(ctx.getBroadcastState(RulePacks.STATE));
        RulePack after = packs.of(yaml);
        ctx.getBroadcastState(RulePacks.STATE).put(RulePacks.KEY, yaml);
        if (!structureIn(before).equals(structureIn(after))) {
            clearRuleState(ctx);
            ctx.applyToKeyedState(PENDING, (key, state) -> state.clear());
            if (inMemory != null) {
                inMemory.dropEvents();
            }
            ctx.applyToKeyedState(SPECULATED, (key, state) -> state.clear());
        }
        pack = after;
    }

    /**
     * Folds the committed state with every pending event, the one that just arrived (stamped
     * {@code arrivedTs}) among them, and reconciles what changed: the arrival is what changed since
     * the previous fold, so it is the cause a withdrawal names.
     */
    private void speculate(ReadOnlyContext ctx, long arrivedTs, Collector<AlertRevision> out) throws Exception {
        List<Event> events = new ArrayList<>();
        for (List<Event> at : pending.values()) {
            events.addAll(at);
        }
        events.sort(Event.TS_ORDER);
        S state = loadSpeculative();
        Fold fold = new Fold(ctx, false);
        for (Event e : events) {
            if (!fold.apply(state, e)) {
                forget(e);
            }
        }
        Map<String, Chain> toCheck = new LinkedHashMap<>();
        List<String> before = dirty.value();
        if (before != null) {
            for (String id : before) {
                toCheck.put(id, chain(state, id));
            }
        }
        toCheck.putAll(fold.seen);
        for (Map.Entry<String, Chain> c : toCheck.entrySet()) {
            reconcileOne(c.getKey(), c.getValue(), ctx, arrivedTs, out);
        }
        dirty.update(fold.seen.isEmpty() ? null : new ArrayList<>(fold.seen.keySet()));
    }

    /** Drops a waiting event the rule threw on, so that it is dead-lettered once and never committed. */
    private void forget(Event e) throws Exception {
        List<Event> at = pending.get(e.ts());
        at.removeIf(p -> p.stream() == e.stream() && p.id().equals(e.id()));
        if (at.isEmpty()) {
            pending.remove(e.ts());
        } else {
            pending.put(e.ts(), at);
        }
    }

    private void reconcile(Set<Chain> touched, ReadOnlyContext ctx, long causeTs, Collector<AlertRevision> out) throws Exception {
        for (Chain c : touched) {
            reconcileOne(c.alertId, c, ctx, causeTs, out);
        }
        touched.clear();
    }

    /** {@link #reconcileOne(String, Chain, long, Collector)}; a revision that cannot be built becomes a dead letter of its alert. */
    private void reconcileOne(String alertId, Chain truth, ReadOnlyContext ctx, long causeTs, Collector<AlertRevision> out) throws Exception {
        try {
            reconcileOne(alertId, truth, causeTs, out);
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(x, RecordFailures.streamOf(ruleId(), truth == null ? List.of() : truth.evidence),
                    "alert " + alertId, null));
        }
    }

    /**
     * Brings what recipients hold of one alert in line with the chain's truth (null: no such alert).
     *
     * @param causeTs the ts of the event (or watermark) that brought the change, a withdrawal's detectedTs
     */
    private void reconcileOne(String alertId, Chain truth, long causeTs, Collector<AlertRevision> out) throws Exception {
        Emitted sent = emitted.get(alertId);
        if (truth != null && truth.live()) {
            long fp = truth.fingerprint();
            if (sent != null && !sent.cancelled && sent.fingerprint == fp) {
                return;
            }
            MsgType type = sent == null ? MsgType.ALERT : MsgType.UPDATE;
            if (sent == null) {
                sent = new Emitted();
            }
            sent.revision = generations.nextRevision(sent.revision, sent.generation);
            sent.generation = generations.current();
            sent.fingerprint = fp;
            sent.cancelled = false;
            AlertRevision r = Revisions.of(truth, sent.revision, type, pack, null);
            sent.addRecipients(r.recipients());
            sent.last = r;
            emitted.put(alertId, sent);
            out.collect(r);
        } else if (sent != null && !sent.cancelled) {
            sent.revision = generations.nextRevision(sent.revision, sent.generation);
            sent.generation = generations.current();
            sent.cancelled = true;
            String[] recipients = sent.recipients.toArray(new String[0]);
            AlertRevision cancel = truth != null && truth.cancelled
                    ? Revisions.of(truth, sent.revision, MsgType.CANCEL, pack, recipients)
                    : Revisions.withdrawal(sent.last, sent.revision, pack.version(), recipients, causeTs);
            sent.last = null;
            emitted.put(alertId, sent);
            out.collect(cancel);
        }
    }

    /** Collects the effects of applying events in order, to the committed state or to a speculative copy. */
    private final class Fold implements Effects {
        private final ReadOnlyContext ctx;
        private final boolean committed;
        final Set<Chain> touched = new LinkedHashSet<>();
        final Map<String, Chain> seen = new LinkedHashMap<>();
        private final Set<Chain> byThisEvent = new LinkedHashSet<>();
        final List<String> finalised = new ArrayList<>();

        Fold(ReadOnlyContext ctx, boolean committed) {
            this.ctx = ctx;
            this.committed = committed;
        }

        /** Applies one event; false when the rule threw on it, which makes the event a dead letter. */
        boolean apply(S state, Event e) throws Exception {
            try {
                SequencedRuleFunction.this.apply(state, e, this);
            } catch (RuntimeException | StackOverflowError x) {
                byThisEvent.clear();
                ctx.output(Outputs.FAILURES, failures.deadLetter(x, e));
                return false;
            }
            settle();
            return true;
        }

        void expire(S state, long watermark) throws Exception {
            SequencedRuleFunction.this.expire(state, watermark, this);
            settle();
        }

        /** Takes in what the last event or expiry changed. */
        private void settle() {
            for (Chain c : byThisEvent) {
                c.recordFirstSent();
                seen.put(c.alertId, c);
            }
            touched.addAll(byThisEvent);
            byThisEvent.clear();
        }

        @Override
        public void touched(Chain chain) {
            byThisEvent.add(chain);
        }

        @Override
        public void opened() {
            if (committed) {
                openedChains++;
            }
        }

        @Override
        public void finalised(String alertId) {
            finalised.add(alertId);
            if (committed) {
                closedChains++;
            }
        }

        @Override
        public void wakeAt(long ts) {
            if (!committed) {
                return;
            }
            if (inMemory != null) {
                wakeInMemory(ctx.timerService(), ts);
            } else {
                ctx.timerService().registerEventTimeTimer(ts);
            }
        }
    }
}
