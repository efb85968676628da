package org.yrd.linkage.engine;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.cyber.LinkRule;
import org.yrd.linkage.incident.CascadeRule;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.Identifier;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

/** Which key of which rule operator each event goes to. */
public final class Routing {

    private Routing() {}

    /** INC-CASCADE: a breach to its sensor's grid cell, a related call to the 3x3 cells around it. */
    public static final class Cascade implements FlatMapFunction<Event, Routed> {
        private final RulePack pack;

        public Cascade(RulePack pack) {
            this.pack = pack;
        }

        @Override
        public void flatMap(Event e, Collector<Routed> out) {
            var grid = CascadeRule.grid(pack);
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

    /** INC-CLUSTER: a call of a clustered category to its category. */
    public static final class Cluster implements FlatMapFunction<Event, Routed> {
        private final RulePack pack;

        public Cluster(RulePack pack) {
            this.pack = pack;
        }

        @Override
        public void flatMap(Event e, Collector<Routed> out) {
            if (e.stream() == StreamKind.CALL && pack.cluster().categories().contains(e.call().category())) {
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
