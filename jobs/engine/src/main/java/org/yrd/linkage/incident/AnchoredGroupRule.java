package org.yrd.linkage.incident;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.chain.Chain;
import org.yrd.linkage.chain.MapStateOverlay;
import org.yrd.linkage.chain.MapStateWriteBack;
import org.yrd.linkage.chain.SequencedRuleFunction;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.region.Geo;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EventTime;
import org.yrd.linkage.runtime.TsBuckets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape INC-SPREAD and INC-CLUSTER share: an event that joins no open group opens one (it is
 * the anchor); a group is open for a window after its anchor, inclusive; an event joins every open
 * group whose anchor lies within the radius. Whether an event opens a group depends on every open
 * group near it, and those on the groups near them, so the exact semantics need all events of one
 * sensor kind (or call category) on one key: these rules are keyed by kind, not by place.
 *
 * <p>A key may hold a hundred open groups or more (a call category over the whole region in 20
 * minutes), so its state is not one value: groups are map entries by alert id, listed by the
 * {@link Grid} cell of their anchor, with an index of when each closes. An event reads the few
 * cells within the radius of it and the groups it joins, and writes back only those: its cost
 * does not grow with the groups open elsewhere in the region.
 */
abstract class AnchoredGroupRule extends SequencedRuleFunction<GroupStore> {

    private static final MapStateDescriptor<String, Group> GROUPS =
            new MapStateDescriptor<>("groups", Types.STRING, TypeInformation.of(Group.class));
    private static final MapStateDescriptor<Long, List<Anchor>> CELLS =
            new MapStateDescriptor<>("cells", Types.LONG, Types.LIST(TypeInformation.of(Anchor.class)));
    private static final MapStateDescriptor<Long, List<String>> CLOSING =
            new MapStateDescriptor<>("closing", Types.LONG, Types.LIST(Types.STRING));

    /** Open groups in the order they opened: by anchor ts, ties as events are taken (their ids share the rule's prefix). */
    private static final Comparator<Anchor> OPENING_ORDER = Comparator.<Anchor>comparingLong(a -> a.ts).thenComparing(a -> a.alertId);

    private transient Grid grid;
    private transient MapState<String, Group> groups;
    private transient MapState<Long, List<Anchor>> cells;
    private transient MapState<Long, List<String>> closing;
    private transient TypeSerializer<Group> groupSerializer;
    private transient TypeSerializer<Anchor> anchorSerializer;

    AnchoredGroupRule(RulePack pack, boolean speculative) {
        super(pack, speculative);
    }

    /** The side of the grid's cells in degrees: about the default radius, so that a search reads a few cells. */
    abstract double cellDegrees();

    abstract double radiusKm();

    abstract long windowMillis();

    /** Whether the pack in force lets this rule take the event (categories and thresholds change live). */
    abstract boolean takes(Event e);

    /** Sets {@code fired} and severity once the group meets the rule. */
    abstract void evaluate(Group g);

    abstract double lat(Event e);

    abstract double lon(Event e);

    abstract String subject(Event e);

    @Override
    protected void openRuleState() {
        grid = new Grid(cellDegrees());
        groups = getRuntimeContext().getMapState(GROUPS);
        cells = getRuntimeContext().getMapState(CELLS);
        closing = getRuntimeContext().getMapState(CLOSING);
        groupSerializer = getRuntimeContext().createSerializer(TypeInformation.of(Group.class));
        anchorSerializer = getRuntimeContext().createSerializer(TypeInformation.of(Anchor.class));
    }

    @Override
    protected void clearRuleState(Context ctx) throws Exception {
        ctx.applyToKeyedState(GROUPS, (key, state) -> state.clear());
        ctx.applyToKeyedState(CELLS, (key, state) -> state.clear());
        ctx.applyToKeyedState(CLOSING, (key, state) -> state.clear());
    }

    @Override
    protected GroupStore loadCommitted() {
        return new Committed();
    }

    @Override
    protected void saveCommitted(GroupStore store) throws Exception {
        ((Committed) store).flush();
    }

    @Override
    protected GroupStore loadSpeculative() {
        return new Overlay();
    }

    @Override
    protected void apply(GroupStore store, Event e, Effects fx) throws Exception {
        if (!takes(e)) {
            return;
        }
        double lat = lat(e);
        double lon = lon(e);
        Evidence evidence = new Evidence(e.stream(), e.id(), e.ts(), e.city());
        boolean joined = false;
        for (Anchor a : nearby(store, lat, lon, e.ts())) {
            Group g = store.group(a.alertId);
            joined = true;
            g.chain.add(evidence);
            evaluate(g);
            store.putGroup(a.alertId, g);
            if (g.chain.fired) {
                fx.touched(g.chain);
            }
        }
        if (!joined) {
            Group g = new Group();
            g.lat = lat;
            g.lon = lon;
            g.anchorTs = e.ts();
            g.chain = new Chain(ruleId(), AlertKind.INCIDENT_CHAIN, e.id(), subject(e));
            g.chain.hasLocation = true;
            g.chain.lat = lat;
            g.chain.lon = lon;
            g.chain.radiusKm = radiusKm();
            g.chain.add(evidence);
            evaluate(g);
            if (g.chain.fired) {
                fx.touched(g.chain);
            }
            String alertId = g.chain.alertId;
            store.putGroup(alertId, g);
            long cell = grid.cell(lat, lon);
            List<Anchor> anchors = store.cell(cell);
            anchors.add(new Anchor(alertId, lat, lon, g.anchorTs));
            store.putCell(cell, anchors);
            long end = EventTime.plus(g.anchorTs, windowMillis());
            store.closeAt(end, alertId);
            fx.opened();
            fx.wakeAt(end);
        }
    }

    /** The open groups an event at (lat, lon, ts) joins, in the order they opened. */
    private List<Anchor> nearby(GroupStore store, double lat, double lon, long ts) throws Exception {
        List<Anchor> found = new ArrayList<>();
        Grid.Span span = grid.search(lat, lon, radiusKm());
        if (span == null) {
            for (long cell : store.cells()) {
                collect(store.cell(cell), lat, lon, ts, found);
            }
        } else {
            for (long row = span.firstRow(); row <= span.lastRow(); row++) {
                for (long column = span.firstColumn(); column <= span.lastColumn(); column++) {
                    collect(store.cell(Grid.key(row, column)), lat, lon, ts, found);
                }
            }
        }
        found.sort(OPENING_ORDER);
        return found;
    }

    private void collect(List<Anchor> anchors, double lat, double lon, long ts, List<Anchor> found) {
        for (Anchor a : anchors) {
            if (ts <= EventTime.plus(a.ts, windowMillis()) && Geo.distanceKm(lat, lon, a.lat, a.lon) <= radiusKm()) {
                found.add(a);
            }
        }
    }

    @Override
    protected Chain chain(GroupStore store, String alertId) throws Exception {
        Group g = store.group(alertId);
        return g == null ? null : g.chain;
    }

    @Override
    protected void expire(GroupStore store, long watermark, Effects fx) throws Exception {
        List<String> due = TsBuckets.take(closing, watermark);
        if (due == null) {
            return;
        }
        for (String alertId : due) {
            Group g = store.group(alertId);
            if (g == null) {
                continue;
            }
            long cell = grid.cell(g.lat, g.lon);
            List<Anchor> anchors = store.cell(cell);
            anchors.removeIf(a -> a.alertId.equals(alertId));
            store.putCell(cell, anchors);
            store.removeGroup(alertId);
            fx.finalised(alertId);
        }
    }

    /**
     * The committed state. Groups are written back when the fold is done, since the fold still
     * changes a group's chain after the rule has put it (first-sent times); a group read twice in
     * one fold is the same object both times.
     */
    private final class Committed implements GroupStore {
        private final Map<String, Group> read = new HashMap<>();
        private final MapStateWriteBack<String, Group> groupWrites = new MapStateWriteBack<>(groups);

        @Override
        public List<Anchor> cell(long cell) throws Exception {
            List<Anchor> anchors = cells.get(cell);
            return anchors == null ? new ArrayList<>(2) : anchors;
        }

        @Override
        public void putCell(long cell, List<Anchor> anchors) throws Exception {
            if (anchors.isEmpty()) {
                cells.remove(cell);
            } else {
                cells.put(cell, anchors);
            }
        }

        @Override
        public Iterable<Long> cells() throws Exception {
            List<Long> all = new ArrayList<>();
            cells.keys().forEach(all::add);
            return all;
        }

        @Override
        public Group group(String alertId) throws Exception {
            if (groupWrites.holds(alertId)) {
                return groupWrites.get(alertId);
            }
            Group g = read.get(alertId);
            if (g == null) {
                g = groups.get(alertId);
                read.put(alertId, g);
            }
            return g;
        }

        @Override
        public void putGroup(String alertId, Group group) {
            groupWrites.put(alertId, group);
        }

        @Override
        public void removeGroup(String alertId) {
            groupWrites.remove(alertId);
        }

        @Override
        public void closeAt(long ts, String alertId) throws Exception {
            TsBuckets.add(closing, ts, alertId);
        }

        void flush() throws Exception {
            groupWrites.flush();
            read.clear();
        }
    }

    /**
     * A speculative view: reads fall through to committed state (copied, since the heap backend
     * hands out live objects), writes stay here and are dropped with the view.
     */
    private final class Overlay implements GroupStore {
        private final Map<Long, List<Anchor>> cellOverlay = new HashMap<>();
        private final MapStateOverlay<String, Group> groupOverlay = new MapStateOverlay<>(groups, groupSerializer);

        @Override
        public List<Anchor> cell(long cell) throws Exception {
            List<Anchor> anchors = cellOverlay.get(cell);
            if (anchors == null) {
                anchors = new ArrayList<>(2);
                List<Anchor> committed = cells.get(cell);
                if (committed != null) {
                    for (Anchor a : committed) {
                        anchors.add(anchorSerializer.copy(a));
                    }
                }
                cellOverlay.put(cell, anchors);
            }
            return new ArrayList<>(anchors);
        }

        @Override
        public void putCell(long cell, List<Anchor> anchors) {
            cellOverlay.put(cell, anchors);
        }

        @Override
        public Iterable<Long> cells() throws Exception {
            List<Long> all = new ArrayList<>(cellOverlay.keySet());
            for (long cell : cells.keys()) {
                if (!cellOverlay.containsKey(cell)) {
                    all.add(cell);
                }
            }
            return all;
        }

        @Override
        public Group group(String alertId) throws Exception {
            return groupOverlay.get(alertId);
        }

        @Override
        public void putGroup(String alertId, Group group) {
            groupOverlay.put(alertId, group);
        }

        @Override
        public void removeGroup(String alertId) {
            groupOverlay.remove(alertId);
        }

        @Override
        public void closeAt(long ts, String alertId) {
            // groups close only as the watermark commits events
        }
    }
}
