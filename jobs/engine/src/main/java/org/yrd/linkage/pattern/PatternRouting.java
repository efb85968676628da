package org.yrd.linkage.pattern;

import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.Identifier;
import org.yrd.linkage.region.Grid;
import org.yrd.linkage.rules.PatternRule;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.RulePacks;

import java.util.HashMap;
import java.util.Map;

/**
 * Which keys of the pattern operator an event goes to: for every pattern of the pack in force
 * that has a step the event may take, the event's key under that pattern ({@link PatternKeys}).
 * {@code key: grid(R)} sends an event to the 3x3 cells around its own, so that the cell where a
 * match begins sees every event within R of it; {@code identifier} sends a report to each
 * identifier it names; {@code city} to its city; {@code none} to one key.
 */
public final class PatternRouting extends BroadcastProcessFunction<Event, String, Routed> {

    private final RulePacks packs;
    private transient RulePack pack;
    private transient Map<Double, Grid> grids;

    public PatternRouting(RulePack pack) {
        this.packs = new RulePacks(pack);
    }

    @Override
    public void processElement(Event e, ReadOnlyContext ctx, Collector<Routed> out) throws Exception {
        RulePack current = packs.current(ctx.getBroadcastState(RulePacks.STATE));
        if (current != pack) {
            pack = current;
            grids = new HashMap<>();
        }
        for (PatternRule p : pack.patterns()) {
            if (!PatternEvents.usable(p, e)) {
                continue;
            }
            switch (p.key().kind()) {
                case GRID:
                    Grid grid = grids.computeIfAbsent(p.key().km(), Grid::new);
                    for (String cell : grid.block(PatternEvents.lat(e), PatternEvents.lon(e))) {
                        out.collect(new Routed(PatternKeys.of(p, cell), e));
                    }
                    break;
                case IDENTIFIER:
                    for (Identifier id : e.fraud().identifiers()) {
                        out.collect(new Routed(PatternKeys.of(p, id.key()), e));
                    }
                    break;
                case CITY:
                    out.collect(new Routed(PatternKeys.of(p, Integer.toString(e.city())), e));
                    break;
                default:
                    out.collect(new Routed(PatternKeys.of(p, ""), e));
            }
        }
    }

    @Override
    public void processBroadcastElement(String yaml, Context ctx, Collector<Routed> out) throws Exception {
        ctx.getBroadcastState(RulePacks.STATE).put(RulePacks.KEY, yaml);
    }
}
