package org.yrd.linkage.cyber;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.util.Collector;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.chain.Chain;
import org.yrd.linkage.chain.MapStateOverlay;
import org.yrd.linkage.chain.MapStateWriteBack;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.chain.SequencedRuleFunction;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.FraudReport;
import org.yrd.linkage.model.Identifier;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EventTime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CYB-LINK (rules-v1.md): connected components of fraud reports over shared identifiers, with
 * expiry. An identifier is live for 7 days after the last report naming it; a report joins the
 * case of every live identifier it names, and cases it bridges merge into the one with the
 * earliest first report.
 *
 * <p>One linker for the whole region (a single key): merges are global and must happen in ts
 * order to be deterministic. Identifiers, cases and the expiry index are RocksDB map states, so
 * the state is not bounded by the heap; each report costs a few point look-ups. Scale limit: one
 * core's worth of reports (measured in BENCHMARKS.md), far above the region's thousands a day.
 *
 * <p>State is bounded by the liveness window: an identifier is kept while it is live, a case while
 * one of its identifiers is, and a case stays the same size however many reports and identifiers
 * it gathers, though it may stay open for as long as reports keep naming it. So identifiers point
 * to their case and a case does not list them: when a merge absorbs a case, the absorbed case
 * names its survivor ({@code merged-into}) for as long as one of its identifiers may still be
 * live, and a look-up follows those names to the case that stands.
 */
public class LinkRule extends SequencedRuleFunction<LinkStore> {

    public static final String RULE_ID = "CYB-LINK";
    public static final String KEY = "LINK";

    /** Routing to this rule's keys: every report to the one linker (merges are global). */
    public static final class Route implements FlatMapFunction<Event, Routed> {
        @Override
        public void flatMap(Event e, Collector<Routed> out) {
            if (e.stream() == StreamKind.FRAUD) {
                out.collect(new Routed(KEY, e));
            }
        }
    }

    private static final String CASE = "C:";
    private static final String IDENT = "I:";
    private static final String ABSORBED = "A:";
    private static final String MERGED = "M:";

    private static final MapStateDescriptor<String, IdentEntry> IDENTS =
            new MapStateDescriptor<>("identifiers", Types.STRING, TypeInformation.of(IdentEntry.class));
    private static final MapStateDescriptor<String, LinkCase> CASES =
            new MapStateDescriptor<>("cases", Types.STRING, TypeInformation.of(LinkCase.class));
    private static final MapStateDescriptor<String, Chain> ABSORBED_CHAINS =
            new MapStateDescriptor<>("absorbed", Types.STRING, TypeInformation.of(Chain.class));
    private static final MapStateDescriptor<String, String> MERGED_INTO =
            new MapStateDescriptor<>("merged-into", Types.STRING, Types.STRING);
    private static final MapStateDescriptor<Long, List<String>> EXPIRY =
            new MapStateDescriptor<>("expiry", Types.LONG, Types.LIST(Types.STRING));

    private transient MapState<String, IdentEntry> idents;
    private transient MapState<String, LinkCase> cases;
    private transient MapState<String, Chain> absorbed;
    private transient MapState<String, String> merged;
    private transient MapState<Long, List<String>> expiry;
    private transient TypeSerializer<IdentEntry> identSerializer;
    private transient TypeSerializer<LinkCase> caseSerializer;
    private transient TypeSerializer<Chain> chainSerializer;

    public LinkRule(RulePack pack, boolean speculative) {
        super(pack, speculative);
    }

    @Override
    protected String ruleId() {
        return RULE_ID;
    }

    @Override
    protected void openRuleState() {
        TypeInformation<IdentEntry> identType = TypeInformation.of(IdentEntry.class);
        TypeInformation<LinkCase> caseType = TypeInformation.of(LinkCase.class);
        TypeInformation<Chain> chainType = TypeInformation.of(Chain.class);
        idents = getRuntimeContext().getMapState(IDENTS);
        cases = getRuntimeContext().getMapState(CASES);
        absorbed = getRuntimeContext().getMapState(ABSORBED_CHAINS);
        merged = getRuntimeContext().getMapState(MERGED_INTO);
        expiry = getRuntimeContext().getMapState(EXPIRY);
        identSerializer = getRuntimeContext().createSerializer(identType);
        caseSerializer = getRuntimeContext().createSerializer(caseType);
        chainSerializer = getRuntimeContext().createSerializer(chainType);
    }

    @Override
    protected void clearRuleState(Context ctx) throws Exception {
        ctx.applyToKeyedState(IDENTS, (key, state) -> state.clear());
        ctx.applyToKeyedState(CASES, (key, state) -> state.clear());
        ctx.applyToKeyedState(ABSORBED_CHAINS, (key, state) -> state.clear());
        ctx.applyToKeyedState(MERGED_INTO, (key, state) -> state.clear());
        ctx.applyToKeyedState(EXPIRY, (key, state) -> state.clear());
    }

    @Override
    protected LinkStore loadCommitted() {
        return new Committed();
    }

    @Override
    protected void saveCommitted(LinkStore state) throws Exception {
        ((Committed) state).flush();
    }

    @Override
    protected LinkStore loadSpeculative() {
        return new Overlay();
    }

    @Override
    protected void apply(LinkStore store, Event e, Effects fx) throws Exception {
        RulePack.Link rule = pack().link();
        long liveness = rule.liveness().toMillis();
        FraudReport r = e.fraud();
        long t = r.ts();

        LinkCase survivor = null;
        List<LinkCase> joined = new ArrayList<>();
        for (Identifier id : r.identifiers()) {
            IdentEntry entry = store.ident(id.key());
            if (entry != null && entry.lastTs > t - liveness) {
                LinkCase c = caseOf(store, entry.caseId);
                if (!containsCase(joined, c.id)) {
                    joined.add(c);
                    if (survivor == null || c.survivesOver(survivor)) {
                        survivor = c;
                    }
                }
            }
        }
        if (survivor == null) {
            survivor = new LinkCase();
            survivor.id = r.id();
            survivor.firstTs = t;
            survivor.firstReportId = r.id();
            survivor.chain = new Chain(RULE_ID, AlertKind.CYBER_CHAIN, r.id(), r.fraudType().name());
            fx.opened();
        }
        for (LinkCase other : joined) {
            if (other != survivor) {
                absorb(store, other, survivor, t, fx);
            }
        }
        survivor.lastTs = Math.max(survivor.lastTs, t);
        survivor.chain.add(new Evidence(StreamKind.FRAUD, r.id(), t, e.city()));
        survivor.chain.lossCny += r.amountCny();
        for (Identifier id : r.identifiers()) {
            survivor.chain.addIdentifier(id.masked());
            store.putIdent(id.key(), new IdentEntry(survivor.id, t));
            store.expireAt(EventTime.plus(t, liveness), IDENT + id.key());
        }
        Chain chain = survivor.chain;
        chain.severity = chain.lossCny >= rule.criticalLossCny() ? rule.criticalSeverity() : rule.severity();
        if (chain.provinceCount() >= rule.minProvinces()) {
            chain.fired = true;
        }
        if (chain.fired) {
            fx.touched(chain);
        }
        store.putCase(survivor);
        store.expireAt(EventTime.plus(t, liveness), CASE + survivor.id);
        fx.wakeAt(EventTime.plus(t, liveness));
    }

    private static boolean containsCase(List<LinkCase> cases, String id) {
        for (LinkCase c : cases) {
            if (c.id.equals(id)) {
                return true;
            }
        }
        return false;
    }

    /** The case that stands for {@code id}: itself, or the case that absorbed it, directly or through others. */
    private static LinkCase caseOf(LinkStore store, String id) throws Exception {
        String at = id;
        LinkCase c = store.linkCase(at);
        while (c == null) {
            at = store.mergedInto(at);
            if (at == null) {
                throw new IllegalStateException("a live identifier names case " + id + ", which neither stands nor was merged");
            }
            c = store.linkCase(at);
        }
        return c;
    }

    private void absorb(LinkStore store, LinkCase from, LinkCase into, long ts, Effects fx) throws Exception {
        into.chain.absorb(from.chain);
        into.lastTs = Math.max(into.lastTs, from.lastTs);
        // identifiers that still name the absorbed case were last named by one of its reports, so by from.lastTs
        store.putMergedInto(from.id, into.id);
        store.expireAt(from.lastTs + pack().link().liveness().toMillis(), MERGED + from.id);
        store.removeCase(from.id);
        fx.finalised(from.chain.alertId);
        if (from.chain.fired) {
            from.chain.cancelled = true;
            from.chain.mergedInto = into.chain.alertId;
            from.chain.cancelledTs = ts;
            store.putAbsorbed(from.chain);
            store.expireAt(EventTime.plus(into.lastTs, pack().link().liveness().toMillis()), ABSORBED + from.chain.alertId);
            fx.touched(from.chain);
        }
    }

    @Override
    protected Chain chain(LinkStore store, String alertId) throws Exception {
        LinkCase c = store.linkCase(alertId.substring(RULE_ID.length() + 1));
        return c != null ? c.chain : store.absorbed(alertId);
    }

    @Override
    protected void expire(LinkStore store, long watermark, Effects fx) throws Exception {
        // only committed state expires: speculation never reaches here
        List<String> due = ((Committed) store).takeExpiring(watermark);
        if (due == null) {
            return;
        }
        long liveness = pack().link().liveness().toMillis();
        for (String entry : due) {
            String key = entry.substring(2);
            if (entry.startsWith(IDENT)) {
                IdentEntry id = idents.get(key);
                if (id != null && EventTime.plus(id.lastTs, liveness) <= watermark) {
                    idents.remove(key);
                }
            } else if (entry.startsWith(CASE)) {
                LinkCase c = store.linkCase(key);
                if (c != null && EventTime.plus(c.lastTs, liveness) <= watermark) {
                    store.removeCase(key);
                    fx.finalised(c.chain.alertId);
                }
            } else if (entry.startsWith(MERGED)) {
                merged.remove(key);
            } else {
                absorbed.remove(key);
                fx.finalised(key);
            }
        }
    }

    /**
     * The committed state. Cases are written back when the fold is done, since the fold still
     * changes a case's chain after the rule has put it (first-sent times). So are expiry entries:
     * a report's identifiers all expire at the same time, and reading and rewriting that time's
     * list once per identifier took two fifths of the linker's thread over 10 M identifiers in
     * RocksDB.
     */
    private final class Committed implements LinkStore {
        private final MapStateWriteBack<String, LinkCase> caseWrites = new MapStateWriteBack<>(cases);
        private final MapStateWriteBack<Long, List<String>> expiryWrites = new MapStateWriteBack<>(expiry);

        @Override
        public IdentEntry ident(String key) throws Exception {
            return idents.get(key);
        }

        @Override
        public void putIdent(String key, IdentEntry entry) throws Exception {
            idents.put(key, entry);
        }

        @Override
        public LinkCase linkCase(String id) throws Exception {
            return caseWrites.get(id);
        }

        @Override
        public void putCase(LinkCase c) {
            caseWrites.put(c.id, c);
        }

        @Override
        public void removeCase(String id) {
            caseWrites.remove(id);
        }

        void flush() throws Exception {
            caseWrites.flush();
            expiryWrites.flush();
        }

        /** The entries to look at when the watermark reaches {@code ts}, taken out of the index; null when none. */
        List<String> takeExpiring(long ts) throws Exception {
            List<String> due = expiryWrites.get(ts);
            if (due != null) {
                expiryWrites.remove(ts);
            }
            return due;
        }

        @Override
        public String mergedInto(String id) throws Exception {
            return merged.get(id);
        }

        @Override
        public void putMergedInto(String id, String into) throws Exception {
            merged.put(id, into);
        }

        @Override
        public void putAbsorbed(Chain chain) throws Exception {
            absorbed.put(chain.alertId, chain);
        }

        @Override
        public Chain absorbed(String alertId) throws Exception {
            return absorbed.get(alertId);
        }

        @Override
        public void expireAt(long ts, String entry) throws Exception {
            List<String> at = expiryWrites.get(ts);
            if (at == null) {
                at = new ArrayList<>(2);
            }
            at.add(entry);
            expiryWrites.put(ts, at);
        }
    }

    /**
     * A speculative view: reads fall through to committed state (copied, since the heap backend
     * hands out live objects), writes stay here and are dropped with the view.
     */
    private final class Overlay implements LinkStore {
        private final MapStateOverlay<String, IdentEntry> identOverlay = new MapStateOverlay<>(idents, identSerializer);
        private final MapStateOverlay<String, LinkCase> caseOverlay = new MapStateOverlay<>(cases, caseSerializer);
        private final MapStateOverlay<String, Chain> absorbedOverlay = new MapStateOverlay<>(absorbed, chainSerializer);
        private final Map<String, String> mergedOverlay = new HashMap<>();

        @Override
        public IdentEntry ident(String key) throws Exception {
            return identOverlay.get(key);
        }

        @Override
        public void putIdent(String key, IdentEntry entry) {
            identOverlay.put(key, entry);
        }

        @Override
        public LinkCase linkCase(String id) throws Exception {
            return caseOverlay.get(id);
        }

        @Override
        public void putCase(LinkCase c) {
            caseOverlay.put(c.id, c);
        }

        @Override
        public void removeCase(String id) {
            caseOverlay.remove(id);
        }

        @Override
        public String mergedInto(String id) throws Exception {
            return mergedOverlay.containsKey(id) ? mergedOverlay.get(id) : merged.get(id);
        }

        @Override
        public void putMergedInto(String id, String into) {
            mergedOverlay.put(id, into);
        }

        @Override
        public void putAbsorbed(Chain chain) {
            absorbedOverlay.put(chain.alertId, chain);
        }

        @Override
        public Chain absorbed(String alertId) throws Exception {
            return absorbedOverlay.get(alertId);
        }

        @Override
        public void expireAt(long ts, String entry) {
            // expiry happens only as the watermark commits events
        }
    }
}
