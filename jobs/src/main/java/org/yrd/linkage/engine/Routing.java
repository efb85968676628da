package org.yrd.linkage.engine;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.cyber.LinkRule;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.yrd.linkage.incident.CascadeRule;
import org.yrd.linkage.incident.Grid;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.Identifier;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

/** Which key of which rule operator each event goes to. */
public final class Routing {

    private Routing() {}

    /**
     * INC-CASCADE: a breach to its sensor's grid cell, a related call to the 3x3 cells around it.
     * The grid follows the radius of the pack in force (a changed radius restarts the rule).
     */
    public static final class Cascade extends BroadcastProcessFunction<Event, String, Routed> implements FlatMapFunction<Event, Routed> {
        private final RulePacks packs;
        private transient RulePack pack;
        private transient Grid grid;

        public Cascade(RulePack pack) {
            this.packs = new RulePacks(pack);
        }

        @Override
        public void processElement(Event e, ReadOnlyContext ctx, Collector<Routed> out) throws Exception {
            RulePack current = packs.current(ctx.getBroadcastState(RulePacks.STATE));
            if (current != pack) {
                pack = current;
                grid = CascadeRule.grid(pack);
            }
            route(e, out);
        }

        @Override
        public void processBroadcastElement(String yaml, Context ctx, Collector<Routed> out) throws Exception {
            ctx.getBroadcastState(RulePacks.STATE).put(RulePacks.KEY, yaml);
        }

        /** Routes under the pack the function was made with (tests). */
        @Override
        public void flatMap(Event e, Collector<Routed> out) {
            if (pack == null) {
                pack = packs.initial();
                grid = CascadeRule.grid(pack);
            }
            route(e, out);
        }

        private void route(Event e, Collector<Routed> out) {
            if (e.stream() == StreamKind.SENSOR) {
                out.collect(new Routed(grid.cell(e.sensor().lat(), e.sensor().lon()), e));
            } else if (e.stream() == StreamKind.CALL && relatedToAnyHazard(e)) {
                for (String cell : grid.block(e.call().lat(), e.call().lon())) {
                    out.collect(new Routed(cell, e));
                }
            }
        }

        private boolean relatedToAnyHazard(Event e) {
            for (SensorKind kind : pack.hazards().keySet()) {
                if (pack.related(kind, e.call().category())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** INC-SPREAD: every breach to its sensor kind. */
    public static final class Spread implements FlatMapFunction<Event, Routed> {
        @Override
        public void flatMap(Event e, Collector<Routed> out) {
            if (e.stream() == StreamKind.SENSOR) {
                out.collect(new Routed(e.sensor().kind().name(), e));
            }
        }
    }

    /** INC-CLUSTER: every call to its category (the rule takes the categories of the pack in force). */
    public static final class Cluster implements FlatMapFunction<Event, Routed> {
        @Override
        public void flatMap(Event e, Collector<Routed> out) {
            if (e.stream() == StreamKind.CALL) {
                out.collect(new Routed(e.call().category().name(), e));
            }
        }
    }

    /** CYB-LINK: every report to the one linker. */
    public static final class Link implements FlatMapFunction<Event, Routed> {
        @Override
        public void flatMap(Event e, Collector<Routed> out) {
            if (e.stream() == StreamKind.FRAUD) {
                out.collect(new Routed(LinkRule.KEY, e));
            }
        }
    }

    /** CYB-BURST: a report to each identifier it names. */
    public static final class Burst implements FlatMapFunction<Event, Routed> {
        @Override
        public void flatMap(Event e, Collector<Routed> out) {
            if (e.stream() == StreamKind.FRAUD) {
                for (Identifier id : e.fraud().identifiers()) {
                    out.collect(new Routed(id.key(), e));
                }
            }
        }
    }
}
