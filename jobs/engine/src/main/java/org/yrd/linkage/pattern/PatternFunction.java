package org.yrd.linkage.pattern;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.cep.nfa.ComputationState;
import org.apache.flink.cep.nfa.NFA;
import org.apache.flink.cep.nfa.NFAState;
import org.apache.flink.cep.nfa.NFAStateSerializer;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBuffer;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBufferAccessor;
import org.apache.flink.cep.time.TimerService;
import org.apache.flink.configuration.Configuration;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.chain.Chain;
import org.yrd.linkage.chain.SequencedRuleFunction;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.Identifier;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.PatternRule;
import org.yrd.linkage.rules.RulePack;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs the analysts' patterns of the pack in force on flink-cep's own automaton, with the same
 * timeliness as the six rules. Open-source Flink's CepOperator runs one fixed pattern; this
 * operator hosts one {@link NFA} per pattern version and keeps, per key of
 * {@link PatternKeys} (pattern, version, key value), the automaton's {@link NFAState} and its
 * {@link SharedBuffer} of partial matches in keyed state, as CepOperator does.
 *
 * <p>It is a {@link SequencedRuleFunction}, so the automaton is fed like every rule's fold:
 * events wait until the watermark passes them and are then fed in ts order to the committed
 * automaton, whose matches are final. In live mode each arrival also feeds the pending events
 * to a throw-away continuation of the committed automaton (a copy of its NFAState over a
 * copy-on-write view of its shared buffer, {@link MapStateStore}), so a match alerts at once and
 * a later-arriving, earlier-stamped event that breaks or changes it brings an UPDATE or CANCEL.
 * In replay only the committed automaton runs, so the alerts are the same at any parallelism.
 * (Under {@code afterMatch: skipPastLastEvent} CEP itself holds a complete match back while a
 * match begun before it in the key can still complete, which may rule it out; {@code noSkip}
 * never waits. config/rules/examples/README.md says so to analysts.)
 *
 * <p>A match becomes an alert when its events come from at least {@code provinces.atLeast}
 * provinces. Its id is {@code <pattern id>:<id of its first event>} ({@code :<TYPE>-<k>} added
 * under {@code key: identifier}, the identifier's position in that first report, as CYB-BURST
 * does: a report is matched once per identifier it names); matches with the same first event
 * make one alert whose evidence is all of their events. An alert can change no more once
 * {@code within} has passed since its first event.
 */
public class PatternFunction extends SequencedRuleFunction<PatternFunction.Run> {

    /** The rule id under which the operator's metrics are reported; alerts carry their pattern's id. */
    private static final String RULE_ID = "PATTERNS";

    private static final ValueStateDescriptor<NFAState> NFA_STATE =
            new ValueStateDescriptor<>("nfa-state", new NFAStateSerializer());
    private static final MapStateDescriptor<String, Chain> CHAINS =
            new MapStateDescriptor<>("pattern-chains", Types.STRING, TypeInformation.of(Chain.class));
    private static final TimerService WALL_CLOCK = System::currentTimeMillis;

    private transient ValueState<NFAState> nfaStates;
    private transient MapState<String, Chain> chains;
    private transient SharedBuffer<Event> committedBuffer;
    private transient SharedBuffer<Event> speculativeBuffer;
    private transient MapStateStore overlay;
    private transient TypeSerializer<Chain> chainSerializer;
    private transient NFAStateSerializer nfaSerializer;
    private transient Map<String, Compiled> compiled;
    private transient PatternCompiler.Scope scope;

    public PatternFunction(RulePack pack, boolean speculative) {
        super(pack, speculative);
    }

    /** One pattern version, compiled. */
    private record Compiled(PatternRule rule, NFA<Event> nfa, AfterMatchSkipStrategy afterMatch) {}

    /** The automaton of one key as one fold sees it: the committed one, or a speculative continuation. */
    static final class Run {
        final Compiled pattern;
        final NFAState nfa;
        final SharedBuffer<Event> buffer;
        final boolean speculative;
        /** The key had an automaton state in keyed state when the fold began. */
        final boolean stored;
        /** Chains read or made by this fold; committed ones are written back. */
        final Map<String, Chain> chains = new LinkedHashMap<>();
        final Set<String> finalised = new HashSet<>();

        Run(Compiled pattern, NFAState nfa, SharedBuffer<Event> buffer, boolean speculative, boolean stored) {
            this.pattern = pattern;
            this.nfa = nfa;
            this.buffer = buffer;
            this.speculative = speculative;
            this.stored = stored;
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        compiled = new HashMap<>();
        scope = new PatternCompiler.Scope();
    }

    /**
     * Also called when the task is cancelled before or during {@link #open} (a TaskManager lost
     * while the job restores): whatever was not made is skipped, because an exception here would
     * take the whole TaskManager down (Flink treats a failing cleanup as fatal).
     */
    @Override
    public void close() throws Exception {
        if (compiled != null) {
            for (Compiled c : compiled.values()) {
                c.nfa().close();
            }
        }
        if (committedBuffer != null) {
            committedBuffer.releaseCacheStatisticsTimer();
        }
        if (speculativeBuffer != null) {
            speculativeBuffer.releaseCacheStatisticsTimer();
        }
        super.close();
    }

    @Override
    protected String ruleId() {
        return RULE_ID;
    }

    /** Patterns are switched on by being in the pack; routing sends events only to those that are. */
    @Override
    protected boolean enabledIn(RulePack pack) {
        return true;
    }

    /** Each pattern version has keys of its own, so a pack change never clears the others' state. */
    @Override
    protected Object structureIn(RulePack pack) {
        return List.of();
    }

    @Override
    protected void openRuleState() {
        nfaStates = getRuntimeContext().getState(NFA_STATE);
        chains = getRuntimeContext().getMapState(CHAINS);
        chainSerializer = getRuntimeContext().createSerializer(TypeInformation.of(Chain.class));
        nfaSerializer = new NFAStateSerializer();
        TypeSerializer<Event> events = getRuntimeContext().createSerializer(TypeInformation.of(Event.class));
        committedBuffer = new SharedBuffer<>(MapStateStore.of(d -> getRuntimeContext().getMapState(d)), events);
        overlay = MapStateStore.overlay(d -> getRuntimeContext().getMapState(d));
        speculativeBuffer = new SharedBuffer<>(overlay, events);
    }

    @Override
    protected void clearRuleState(Context ctx) throws Exception {
        ctx.applyToKeyedState(NFA_STATE, (key, state) -> state.clear());
        ctx.applyToKeyedState(CHAINS, (key, state) -> state.clear());
    }

    /** The compiled pattern of the current key, or null when its version is no longer in the pack. */
    private Compiled compiledForKey() throws Exception {
        String key = currentKey();
        PatternRule rule = pack().pattern(PatternKeys.patternId(key));
        if (rule == null || !rule.version().equals(PatternKeys.version(key))) {
            return null;
        }
        scope.cell = PatternKeys.value(key);
        Compiled c = compiled.get(rule.id() + '@' + rule.version());
        if (c == null) {
            // packs are checked before they are broadcast (RuleUpdates, rules validate)
            NFA<Event> nfa = NFACompiler.compileFactory(PatternCompiler.compile(rule, scope), false).createNFA();
            nfa.open(getRuntimeContext(), new Configuration());
            c = new Compiled(rule, nfa, PatternCompiler.afterMatch(rule));
            compiled.put(rule.id() + '@' + rule.version(), c);
        }
        return c;
    }

    @Override
    protected Run loadCommitted() throws Exception {
        Compiled c = compiledForKey();
        NFAState state = c == null ? null : nfaStates.value();
        return new Run(c, state == null && c != null ? c.nfa().createInitialNFAState() : state, committedBuffer, false,
                state != null);
    }

    @Override
    protected Run loadSpeculative() throws Exception {
        Compiled c = compiledForKey();
        if (c == null) {
            return new Run(null, null, speculativeBuffer, true, false);
        }
        overlay.reset();
        NFAState committed = nfaStates.value();
        return new Run(c, committed == null ? c.nfa().createInitialNFAState() : nfaSerializer.copy(committed),
                speculativeBuffer, true, committed != null);
    }

    @Override
    protected void saveCommitted(Run run) throws Exception {
        if (run.pattern == null) {
            return;
        }
        if (nothingBegun(run.nfa)) {
            if (run.stored || run.nfa.isStateChanged()) {
                // no match can continue: an idle key (a grid cell, an identifier) keeps nothing, not
                // even the shared buffer's count of events per timestamp
                try (SharedBufferAccessor<Event> buffer = run.buffer.getAccessor()) {
                    buffer.advanceTime(Long.MAX_VALUE);
                }
                nfaStates.clear();
            }
        } else if (run.nfa.isStateChanged()) {
            run.nfa.resetStateChanged();
            nfaStates.update(run.nfa);
        }
        for (Map.Entry<String, Chain> e : run.chains.entrySet()) {
            if (!run.finalised.contains(e.getKey())) {
                chains.put(e.getKey(), e.getValue());
            }
        }
        for (String id : run.finalised) {
            chains.remove(id);
        }
    }

    /**
     * True when no match has begun: the automaton holds only its start states and no completed
     * match waiting for earlier ones. Then there is nothing for time to prune or complete, and
     * the shared buffer holds no event of the key.
     */
    private static boolean nothingBegun(NFAState state) {
        if (!state.getCompletedMatches().isEmpty()) {
            return false;
        }
        for (ComputationState cs : state.getPartialMatches()) {
            if (cs.getPreviousBufferEntry() != null || cs.getStartEventID() != null) {
                return false;
            }
        }
        return true;
    }

    @Override
    protected void apply(Run run, Event e, Effects fx) throws Exception {
        if (run.pattern == null) {
            return;
        }
        NFA<Event> nfa = run.pattern.nfa();
        try (SharedBufferAccessor<Event> buffer = run.buffer.getAccessor()) {
            // advancing time reads the shared buffer's keyed state: only worth it when a match has begun
            if (!nothingBegun(run.nfa)) {
                matched(run, nfa.advanceTime(buffer, run.nfa, e.ts(), run.pattern.afterMatch()).f0, fx);
            }
            matched(run, nfa.process(buffer, run.nfa, e, e.ts(), run.pattern.afterMatch(), WALL_CLOCK), fx);
        }
        if (run.nfa.isNewStartPartialMatch()) {
            // time alone may end what this event began (a window that passes, a step that must not happen)
            fx.wakeAt(e.ts() + nfa.getWindowTime());
            run.nfa.resetNewStartPartialMatch();
        }
    }

    @Override
    protected void expire(Run run, long watermark, Effects fx) throws Exception {
        if (run.pattern == null) {
            forget(fx);
            return;
        }
        if (!nothingBegun(run.nfa)) {
            try (SharedBufferAccessor<Event> buffer = run.buffer.getAccessor()) {
                Tuple2<Collection<Map<String, List<Event>>>, ?> done =
                        run.pattern.nfa().advanceTime(buffer, run.nfa, watermark, run.pattern.afterMatch());
                matched(run, done.f0, fx);
            }
        }
        long window = run.pattern.nfa().getWindowTime();
        Set<String> ids = new TreeSet<>(run.chains.keySet());
        for (String id : chains.keys()) {
            ids.add(id);
        }
        for (String id : ids) {
            Chain c = run.chains.containsKey(id) ? run.chains.get(id) : chains.get(id);
            if (c != null && c.minTs() + window <= watermark) {
                run.finalised.add(id);
                fx.finalised(id);
            }
        }
    }

    /**
     * Drops the state of a key whose pattern version left the pack: its alerts stay as sent, its
     * partial matches are released from the shared buffer.
     */
    private void forget(Effects fx) throws Exception {
        for (String id : chains.keys()) {
            fx.finalised(id);
        }
        chains.clear();
        NFAState state = nfaStates.value();
        if (state != null) {
            try (SharedBufferAccessor<Event> buffer = committedBuffer.getAccessor()) {
                for (Collection<ComputationState> states : List.of(state.getPartialMatches(), state.getCompletedMatches())) {
                    for (ComputationState cs : states) {
                        if (cs.getPreviousBufferEntry() != null) {
                            buffer.releaseNode(cs.getPreviousBufferEntry(), cs.getVersion());
                        }
                    }
                }
                buffer.advanceTime(Long.MAX_VALUE);
            }
            nfaStates.clear();
        }
    }

    @Override
    protected Chain chain(Run run, String alertId) throws Exception {
        Chain c = run.chains.get(alertId);
        if (c == null) {
            c = chains.get(alertId);
            if (c != null) {
                c = run.speculative ? chainSerializer.copy(c) : c;
                run.chains.put(alertId, c);
            }
        }
        return c;
    }

    /** Turns the automaton's matches into alerts: each match that spans enough provinces joins the alert of its first event. */
    private void matched(Run run, Collection<Map<String, List<Event>>> matches, Effects fx) throws Exception {
        PatternRule rule = run.pattern.rule();
        for (Map<String, List<Event>> match : matches) {
            List<Event> events = new ArrayList<>();
            match.values().forEach(events::addAll);
            if (events.stream().map(Event::province).distinct().count() < rule.minProvinces()) {
                continue;
            }
            Event first = match.get(rule.first().name()).get(0);
            String alertId = alertId(rule, first);
            Chain c = chain(run, alertId);
            boolean changed = c == null;
            if (c == null) {
                c = open(rule, first, alertId);
                run.chains.put(alertId, c);
                fx.opened();
                fx.wakeAt(first.ts() + run.pattern.nfa().getWindowTime());
            }
            events.sort(Event.TS_ORDER);
            for (Event e : events) {
                changed |= add(c, e);
            }
            if (changed) {
                fx.touched(c);
            }
        }
    }

    private String alertId(PatternRule rule, Event first) {
        String id = rule.id() + ':' + first.id();
        if (rule.key().kind() != PatternRule.KeyKind.IDENTIFIER) {
            return id;
        }
        String key = PatternKeys.value(currentKey());
        Identifier[] ids = first.fraud().identifiers();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].key().equals(key)) {
                return id + ':' + ids[i].type().name() + '-' + (i + 1);
            }
        }
        throw new IllegalStateException("a report matched under an identifier it does not name");
    }

    private static Chain open(PatternRule rule, Event first, String alertId) {
        Chain c = new Chain(rule.id(), rule.alertKind(), alertId.substring(rule.id().length() + 1), PatternEvents.subject(first));
        c.fired = true;
        c.severity = rule.severity();
        if (PatternEvents.placed(first)) {
            c.hasLocation = true;
            c.lat = PatternEvents.lat(first);
            c.lon = PatternEvents.lon(first);
            c.radiusKm = rule.key().kind() == PatternRule.KeyKind.GRID ? rule.key().km() : 0;
        }
        return c;
    }

    /** Adds an event to an alert's evidence unless it is there already; true when it was not. */
    private static boolean add(Chain c, Event e) {
        for (Evidence x : c.evidence) {
            if (x.stream() == e.stream() && x.id().equals(e.id())) {
                return false;
            }
        }
        c.add(new Evidence(e.stream(), e.id(), e.ts(), e.city()));
        if (e.stream() == StreamKind.FRAUD) {
            c.lossCny += e.fraud().amountCny();
            for (Identifier id : e.fraud().identifiers()) {
                c.addIdentifier(id.masked());
            }
        }
        return true;
    }
}
