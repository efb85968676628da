package org.yrd.linkage.testing;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.runtime.RulePacks;

import java.util.ArrayList;
import java.util.List;

/**
 * A rule's production routing function, run as the job graph runs it: a plain flat map, or (for
 * INC-CASCADE, whose grid follows the pack in force) a broadcast function in Flink's harness that
 * receives the same rule packs as the rule itself.
 */
public final class Router implements AutoCloseable {

    private final FlatMapFunction<Event, Routed> flatMap;
    private final BroadcastOperatorTestHarness<Event, String, Routed> broadcast;

    public Router(FlatMapFunction<Event, Routed> flatMap) {
        this.flatMap = flatMap;
        this.broadcast = null;
    }

    public Router(BroadcastProcessFunction<Event, String, Routed> function) throws Exception {
        this.flatMap = null;
        this.broadcast = ProcessFunctionTestHarnesses.forBroadcastProcessFunction(function, RulePacks.STATE);
    }

    /** The keys the job graph would send {@code e} to. */
    public List<Routed> route(Event e) throws Exception {
        List<Routed> routed = new ArrayList<>();
        if (flatMap != null) {
            flatMap.flatMap(e, new Collector<>() {
                @Override
                public void collect(Routed r) {
                    routed.add(r);
                }

                @Override
                public void close() {}
            });
            return routed;
        }
        broadcast.getOutput().clear();
        broadcast.processElement(new StreamRecord<>(e, e.ts()));
        return broadcast.extractOutputValues();
    }

    /** A rule pack (YAML) published on the rules topic reaches the routing as it reaches the rule. */
    public void publish(String yaml) throws Exception {
        if (broadcast != null) {
            broadcast.processBroadcastElement(new StreamRecord<>(yaml, 0L));
        }
    }

    @Override
    public void close() throws Exception {
        if (broadcast != null) {
            broadcast.close();
        }
    }
}
