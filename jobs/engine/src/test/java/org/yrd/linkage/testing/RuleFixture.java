package org.yrd.linkage.testing;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.chain.SequencedRuleFunction;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RulePacks;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;

import java.util.List;
import java.util.Map;

/**
 * One rule operator in Flink's operator test harness (keyed state, event-time timers, watermarks
 * under the test's control), fed through the same routing as the job graph.
 */
public final class RuleFixture implements AutoCloseable {

    private final KeyedBroadcastOperatorTestHarness<String, Routed, String, AlertRevision> harness;
    private final Router routing;

    public RuleFixture(SequencedRuleFunction<?> rule, FlatMapFunction<Event, Routed> routing) throws Exception {
        this(rule, new Router(routing));
    }

    public RuleFixture(SequencedRuleFunction<?> rule, BroadcastProcessFunction<Event, String, Routed> routing) throws Exception {
        this(rule, new Router(routing));
    }

    private RuleFixture(SequencedRuleFunction<?> rule, Router routing) throws Exception {
        this.routing = routing;
        this.harness = harness(rule);
        harness.open();
        harness.processBroadcastWatermark(new Watermark(Long.MAX_VALUE));
    }

    /** Feeds events in the given (arrival) order. */
    public RuleFixture feed(Event... events) throws Exception {
        feed(harness, routing, events);
        return this;
    }

    /** Routes events as the job graph does and feeds them, in the given order, to a harness. */
    public static void feed(KeyedBroadcastOperatorTestHarness<String, Routed, String, AlertRevision> harness,
                            Router routing, Event... events) throws Exception {
        for (Event e : events) {
            for (Routed r : routing.route(e)) {
                harness.processElement(r, e.ts());
            }
        }
    }

    /** A rule operator in the harness, not yet opened; the broadcast input carries rule packs. */
    public static KeyedBroadcastOperatorTestHarness<String, Routed, String, AlertRevision> harness(SequencedRuleFunction<?> rule) throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(rule, List.of(RulePacks.STATE)),
                Routed::key, Types.STRING, 1, 1, 0);
    }

    /** Publishes a rule pack, as the rules topic would. */
    public RuleFixture publish(RulePack pack) throws Exception {
        String yaml = RulePackFile.toYaml(pack);
        routing.publish(yaml);
        harness.processBroadcastElement(yaml, 0);
        return this;
    }

    public RuleFixture watermark(long ts) throws Exception {
        harness.processWatermark(new Watermark(ts));
        return this;
    }

    /** Every revision emitted so far. */
    public List<AlertRevision> revisions() {
        return harness.extractOutputValues();
    }

    /** The dead letters of events and revisions the rule threw on (not masked yet: the job graph masks them). */
    public List<DeadLetter> failures() {
        var side = harness.getSideOutput(Outputs.FAILURES);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    /** The size of the rule's state (keyed, timers, broadcast), as a checkpoint of it would be. */
    public long stateBytes() throws Exception {
        return harness.snapshot(0, 0).getStateSize();
    }

    /** Drops the revisions emitted so far, so that a long run does not hold them all. */
    public void clearRevisions() {
        harness.getOutput().clear();
    }

    /** Ends the input (the watermark passes everything) and returns the final alerts. */
    public Map<String, FinalAlert> finish() throws Exception {
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        return FinalAlerts.of(revisions());
    }

    /** Runs the events through the rule in arrival order to the end. */
    public static Map<String, FinalAlert> run(SequencedRuleFunction<?> rule, FlatMapFunction<Event, Routed> routing, Event... events) throws Exception {
        try (RuleFixture f = new RuleFixture(rule, routing)) {
            return f.feed(events).finish();
        }
    }

    public static Map<String, FinalAlert> run(SequencedRuleFunction<?> rule, BroadcastProcessFunction<Event, String, Routed> routing,
                                              Event... events) throws Exception {
        try (RuleFixture f = new RuleFixture(rule, routing)) {
            return f.feed(events).finish();
        }
    }

    @Override
    public void close() throws Exception {
        harness.close();
        routing.close();
    }
}
