package org.yrd.linkage.incident;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.region.Grid;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RecordFailures;
import org.yrd.linkage.runtime.RulePacks;

/**
 * Which INC-CASCADE keys an event goes to: a breach to its sensor's grid cell, a related call to
 * the 3x3 cells around it, so that every (sensor, call) pair within the radius meets in exactly
 * one cell, the sensor's. The grid follows the radius of the pack in force, which arrives on the
 * broadcast input (a changed radius restarts the rule, {@link CascadeRule}); a job whose pack
 * never changes (replay) routes with {@link #fixed}, one input, chained to de-duplication.
 */
public final class CascadeRouting extends BroadcastProcessFunction<Event, String, Routed> {

    private final RulePacks packs;
    private transient RulePack pack;
    private transient Grid grid;
    private transient RecordFailures failures;

    public CascadeRouting(RulePack pack) {
        this.packs = new RulePacks(pack);
    }

    @Override
    public void open(OpenContext openContext) {
        failures = new RecordFailures("route INC-CASCADE", getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(Event e, ReadOnlyContext ctx, Collector<Routed> out) throws Exception {
        try {
            route(e, ctx, out);
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(x, e));
        }
    }

    private void route(Event e, ReadOnlyContext ctx, Collector<Routed> out) throws Exception {
        RulePack current = packs.current(ctx.getBroadcastState(RulePacks.STATE));
        if (current != pack) {
            pack = current;
            grid = CascadeRule.grid(pack);
        }
        route(pack, grid, e, out);
    }

    @Override
    public void processBroadcastElement(String yaml, Context ctx, Collector<Routed> out) throws Exception {
        ctx.getBroadcastState(RulePacks.STATE).put(RulePacks.KEY, yaml);
    }

    /** The same routing for a job without rule updates: the pack it starts with stays in force. */
    public static ProcessFunction<Event, Routed> fixed(RulePack pack) {
        return new Fixed(pack);
    }

    private static final class Fixed extends ProcessFunction<Event, Routed> {
        private final RulePack pack;
        private transient Grid grid;
        private transient RecordFailures failures;

        Fixed(RulePack pack) {
            this.pack = pack;
        }

        @Override
        public void open(OpenContext openContext) {
            grid = CascadeRule.grid(pack);
            failures = new RecordFailures("route INC-CASCADE", getRuntimeContext().getMetricGroup());
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<Routed> out) {
            try {
                route(pack, grid, e, out);
            } catch (RuntimeException | StackOverflowError x) {
                ctx.output(Outputs.FAILURES, failures.deadLetter(x, e));
            }
        }
    }

    private static void route(RulePack pack, Grid grid, Event e, Collector<Routed> out) {
        if (e.stream() == StreamKind.SENSOR) {
            out.collect(new Routed(grid.cell(e.sensor().lat(), e.sensor().lon()), e));
        } else if (e.stream() == StreamKind.CALL && relatedToAnyHazard(pack, e)) {
            for (String cell : grid.block(e.call().lat(), e.call().lon())) {
                out.collect(new Routed(cell, e));
            }
        }
    }

    private static boolean relatedToAnyHazard(RulePack pack, Event e) {
        for (SensorKind kind : pack.hazards().keySet()) {
            if (pack.related(kind, e.call().category())) {
                return true;
            }
        }
        return false;
    }
}
