package org.yrd.linkage.engine;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alerting.CapDocument;
import org.yrd.linkage.alerting.CapRenderFunction;
import org.yrd.linkage.alerting.EscalationFunction;
import org.yrd.linkage.feedback.FeedbackFact;
import org.yrd.linkage.feedback.FeedbackFunction;
import org.yrd.linkage.feedback.RuleFeedbackFunction;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.chain.SequencedRuleFunction;
import org.yrd.linkage.cyber.BurstRule;
import org.yrd.linkage.cyber.LinkRule;
import org.yrd.linkage.incident.CascadeRouting;
import org.yrd.linkage.incident.CascadeRule;
import org.yrd.linkage.incident.ClusterRule;
import org.yrd.linkage.incident.SpreadRule;
import org.yrd.linkage.ingest.DedupeFunction;
import org.yrd.linkage.ingest.FileOrderDedupe;
import org.yrd.linkage.ingest.IngestOperator;
import org.yrd.linkage.ingest.Redaction;
import org.yrd.linkage.pattern.PatternFunction;
import org.yrd.linkage.pattern.PatternRouting;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.runtime.EventSerializer;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RawRecord;
import org.yrd.linkage.runtime.RecordFailures;
import org.yrd.linkage.runtime.RulePacks;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one job graph of the engine, a function of its sources and sinks: replay, live mode, the
 * demo and the tests all build it here and differ only in what they pass in.
 *
 * <pre>
 * rules topic -> validate --(broadcast to ingest, routing and rules: packs change while the job runs)
 * source(stream) -> ingest(stream) --+--> dedupe(stream,id) --> INC-CASCADE (grid cell)
 *   one per input stream             |                      --> INC-SPREAD  (sensor kind)
 *   parse, place, filter, watermark  |                      --> INC-CLUSTER (call category)
 *                                    |                      --> CYB-LINK    (one linker)
 *                                    |                      --> CYB-BURST   (identifier)
 *                                    |                      --> patterns    (pattern version, key)
 *                                    |    alerts of all rules + acks --> ESC-ACK (alert id) --> alert sink (and alert states)
 *                                    |    alerts of all rules + acks --> feedback (alert id) --> (rule, hour) --> rule-feedback sink
 *                                    +--> dead letters of every step -----------------------> dead-letter sink
 * </pre>
 *
 * <p>In a replay each stream is one file read by one reader, so de-duplication runs chained to its
 * ingestion in the file's order ({@link FileOrderDedupe}), and so does the routing to each rule: an
 * event crosses the network once, to its rule, instead of first to a keyed de-duplication. (Not
 * when the replay keeps its state in RocksDB, its input being too large for the heap: the ids
 * then stay in RocksDB with the keyed step.)
 *
 * <p>No record fails the job: a record that any step throws on becomes a dead letter of that step
 * ({@link RecordFailures}), masked here on its way to the dead-letter sink.
 */
public final class LinkageJob {

    /** Where the job's results go. */
    public interface Sinks {
        void alerts(DataStream<AlertRevision> alerts);

        void deadLetters(DataStream<DeadLetter> deadLetters);

        /** The CAP 1.2 rendering of the alerts; rendered only when {@link #wantsCap()}. */
        default void capDocuments(DataStream<CapDocument> documents) {}

        default boolean wantsCap() {
            return false;
        }

        /** Per rule and hour: alerts, acknowledgements, confirmations, false alarms (JSON records, key rule|hour). */
        default void ruleFeedback(DataStream<String> records) {}
    }

    private LinkageJob() {}

    /**
     * Adds the job to the environment of {@code inputs}.
     *
     * @param inputs the raw records (one JSON object each, with where each was read) of whichever input streams exist
     */
    public static void build(Map<StreamKind, DataStream<RawRecord>> inputs, Sinks sinks, RulePack pack, ReadableConfig conf) {
        build(inputs, null, sinks, pack, conf);
    }

    /**
     * Adds the job to the environment of {@code inputs}.
     *
     * @param inputs the raw records (one JSON object each, with where each was read) of whichever input streams exist
     * @param ruleUpdates rule packs (YAML) that replace the running pack while the job runs; null for none
     * @param pack the rule pack the job starts with
     */
    public static void build(Map<StreamKind, DataStream<RawRecord>> inputs, DataStream<RawRecord> ruleUpdates,
                             Sinks sinks, RulePack pack, ReadableConfig conf) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("no input stream");
        }
        EngineOptions.validate(conf);
        StreamExecutionEnvironment env = inputs.values().iterator().next().getExecutionEnvironment();
        long bound = conf.get(EngineOptions.OUT_OF_ORDERNESS).toMillis();
        long maxSkew = conf.get(EngineOptions.MAX_CLOCK_SKEW).toMillis();
        long interval = conf.get(EngineOptions.WATERMARK_INTERVAL).toMillis();
        long quietAfter = conf.get(EngineOptions.QUIET_AFTER).toMillis();
        boolean clock = conf.get(EngineOptions.CLOCK_ADVANCE);
        boolean idleWhenQuiet = conf.get(EngineOptions.IDLE_WHEN_QUIET);
        boolean speculative = conf.get(EngineOptions.SPECULATIVE);
        // a replay: ordered and without checkpoints, so nothing of it outlives a failure (its rules keep
        // waiting events in memory) and it runs for minutes (processing-time TTLs would never fire)
        boolean replay = !speculative && conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).isEmpty();
        // a replay with its state on the heap de-duplicates in each file's order (FileOrderDedupe keeps
        // its ids on the heap too); one too large for the heap keeps them in RocksDB, keyed as live
        boolean dedupeInFileOrder = replay && StateBackendLoader.HASHMAP_STATE_BACKEND_NAME.equalsIgnoreCase(conf.get(StateBackendOptions.STATE_BACKEND));
        requireIdentifierKey(conf);
        String keyFile = conf.getOptional(EngineOptions.IDENTIFIER_KEY_FILE).orElse(null);
        boolean devKey = conf.get(EngineOptions.IDENTIFIER_DEV_KEY);

        List<DataStream<DeadLetter>> deadLetters = new ArrayList<>();
        List<DataStream<DeadLetter>> failures = new ArrayList<>();
        SingleOutputStreamOperator<String> packs = (ruleUpdates != null ? ruleUpdates : noRuleUpdates(env))
                .process(new RuleUpdates(pack)).setParallelism(1).uid("rule-updates").name("validate rule packs");
        deadLetters.add(packs.getSideOutput(Outputs.DEAD_LETTERS));
        failures.add(packs.getSideOutput(Outputs.FAILURES));
        BroadcastStream<String> rules = packs.broadcast(RulePacks.STATE);
        // without rule updates (replay) the pack never changes: ingestion and INC-CASCADE's routing run
        // one-input, chained to what feeds them, and a pack without patterns has no pattern operators
        boolean packFixed = ruleUpdates == null;

        Duration horizon = conf.get(EngineOptions.DEDUPE_HORIZON);
        // each stream without repeats: in a replay on the heap, in its file's order, chained to its
        // ingestion (one reader per file sees every copy of an id); otherwise keyed by (stream, id)
        List<DataStream<Event>> uniques = new ArrayList<>();
        DataStream<Event> events = null;
        for (Map.Entry<StreamKind, DataStream<RawRecord>> in : inputs.entrySet()) {
            String name = in.getKey().baseName();
            IngestOperator ingest = new IngestOperator(in.getKey(), pack, bound, maxSkew, interval, quietAfter, clock, keyFile, devKey)
                    .idleWhenQuiet(idleWhenQuiet);
            SingleOutputStreamOperator<Event> ingested = (packFixed
                    ? in.getValue().transform("ingest " + name, EventSerializer.TYPE, (OneInputStreamOperator<RawRecord, Event>) ingest)
                    : in.getValue().connect(packs.broadcast()).transform("ingest " + name, EventSerializer.TYPE, ingest))
                    .uid("ingest-" + name);
            // at its source's parallelism: one-to-one, and in one subtask for a stream read by one (KafkaIO)
            ingested.setParallelism(in.getValue().getParallelism());
            deadLetters.add(ingested.getSideOutput(Outputs.DEAD_LETTERS));
            failures.add(ingested.getSideOutput(Outputs.FAILURES));
            if (dedupeInFileOrder) {
                SingleOutputStreamOperator<Event> deduped = ingested.process(new FileOrderDedupe(horizon)).returns(EventSerializer.TYPE)
                        .uid("dedupe-" + name).name("dedupe " + name + " (id, in file order)");
                deadLetters.add(deduped.getSideOutput(Outputs.DEAD_LETTERS));
                failures.add(deduped.getSideOutput(Outputs.FAILURES));
                uniques.add(deduped);
            } else {
                events = events == null ? ingested : events.union(ingested);
            }
        }
        if (!dedupeInFileOrder) {
            SingleOutputStreamOperator<Event> deduped = events
                    .keyBy(DedupeFunction::key)
                    .process(new DedupeFunction(horizon, !replay)).returns(EventSerializer.TYPE)
                    .uid("dedupe").name("dedupe (stream, id)");
            deadLetters.add(deduped.getSideOutput(Outputs.DEAD_LETTERS));
            failures.add(deduped.getSideOutput(Outputs.FAILURES));
            uniques.add(deduped);
        }
        // the steps that route events to the rules run on each of these, chained to it where they can
        DataStream<Event> unique = union(uniques);

        // every rule is in the graph even when switched off, so that a later pack can switch it on
        List<DataStream<Routed>> cascadeRouted = new ArrayList<>();
        for (DataStream<Event> u : packFixed ? uniques : List.of(unique)) {
            SingleOutputStreamOperator<Routed> routed = (packFixed
                    ? u.process(CascadeRouting.fixed(pack))
                    : u.connect(rules).process(new CascadeRouting(pack))).returns(Routed.TYPE).name("route inc-cascade");
            failures.add(routed.getSideOutput(Outputs.FAILURES));
            cascadeRouted.add(routed);
        }
        List<SingleOutputStreamOperator<AlertRevision>> alerts = new ArrayList<>();
        alerts.add(rule(union(cascadeRouted), rules, new CascadeRule(pack, speculative), replay, "inc-cascade", "INC-CASCADE (grid cell)"));
        alerts.add(rule(route(uniques, new SpreadRule.Route(), "route inc-spread"),
                rules, new SpreadRule(pack, speculative), replay, "inc-spread", "INC-SPREAD (sensor kind)"));
        alerts.add(rule(route(uniques, new ClusterRule.Route(), "route inc-cluster"),
                rules, new ClusterRule(pack, speculative), replay, "inc-cluster", "INC-CLUSTER (call category)"));
        // one key (merges are global), so one subtask: a second would hold an empty state backend
        alerts.add(rule(route(uniques, new LinkRule.Route(), "route cyb-link"),
                rules, new LinkRule(pack, speculative), replay, "cyb-link", "CYB-LINK (linker)").setParallelism(1));
        alerts.add(rule(route(uniques, new BurstRule.Route(), "route cyb-burst"),
                rules, new BurstRule(pack, speculative), replay, "cyb-burst", "CYB-BURST (identifier)"));
        if (!packFixed || !pack.patterns().isEmpty()) {
            alerts.add(rule(unique.connect(rules).process(new PatternRouting(pack)).returns(Routed.TYPE).name("route patterns"),
                    rules, new PatternFunction(pack, speculative), replay, "patterns", "patterns (pattern, key)"));
        }
        for (SingleOutputStreamOperator<AlertRevision> rule : alerts) {
            failures.add(rule.getSideOutput(Outputs.FAILURES));
        }
        DataStream<AlertRevision> all = union(alerts);
        List<DataStream<Event>> ackStreams = new ArrayList<>();
        for (DataStream<Event> u : uniques) {
            ackStreams.add(u.filter(e -> e.stream() == StreamKind.ACK).name("acks"));
        }
        DataStream<Event> acks = union(ackStreams);
        Duration retention = conf.get(EngineOptions.ESCALATION_RETENTION);
        SingleOutputStreamOperator<AlertRevision> escalated = all.keyBy(AlertRevision::alertId)
                .connect(acks.keyBy(e -> e.ack().alertId()))
                .process(new EscalationFunction(retention))
                .uid("esc-ack").name("ESC-ACK (alert id)");
        failures.add(escalated.getSideOutput(Outputs.FAILURES));
        sinks.alerts(escalated);
        SingleOutputStreamOperator<FeedbackFact> facts = all.keyBy(AlertRevision::alertId)
                .connect(acks.keyBy(e -> e.ack().alertId()))
                .process(new FeedbackFunction(retention, !speculative)).uid("feedback").name("feedback (alert id)");
        SingleOutputStreamOperator<String> figures = facts.keyBy(FeedbackFact::key)
                .process(new RuleFeedbackFunction(retention, !speculative)).uid("rule-feedback").name("rule feedback (rule, hour)");
        failures.add(facts.getSideOutput(Outputs.FAILURES));
        failures.add(figures.getSideOutput(Outputs.FAILURES));
        sinks.ruleFeedback(figures);
        if (sinks.wantsCap()) {
            SingleOutputStreamOperator<CapDocument> documents = escalated.keyBy(AlertRevision::alertId)
                    .process(new CapRenderFunction(retention))
                    .uid("cap").name("render CAP 1.2");
            failures.add(documents.getSideOutput(Outputs.FAILURES));
            sinks.capDocuments(documents);
        }

        // masked where each failure is made (chained to its step), not in a task of its own
        for (DataStream<DeadLetter> f : failures) {
            deadLetters.add(f.map(Redaction::failure).returns(DeadLetter.class).setParallelism(f.getParallelism())
                    .name("mask dead letters of failures"));
        }
        sinks.deadLetters(union(deadLetters));
    }

    /**
     * Refuses a configuration that names no identifier key, or both a key file and the development
     * key (contracts/README.md: the development key only when asked for explicitly).
     *
     * @throws IllegalArgumentException with a one-line message naming both options
     */
    public static void requireIdentifierKey(ReadableConfig conf) {
        boolean file = conf.getOptional(EngineOptions.IDENTIFIER_KEY_FILE).isPresent();
        boolean dev = conf.get(EngineOptions.IDENTIFIER_DEV_KEY);
        if (!file && !dev) {
            throw new IllegalArgumentException("no identifier key: set " + EngineOptions.IDENTIFIER_KEY_FILE.key()
                    + " (the deployment's secret key file) or, for development only, " + EngineOptions.IDENTIFIER_DEV_KEY.key()
                    + ": true (the published development key)");
        }
        if (file && dev) {
            throw new IllegalArgumentException(EngineOptions.IDENTIFIER_KEY_FILE.key() + " and " + EngineOptions.IDENTIFIER_DEV_KEY.key()
                    + ": true are both set; set one (the key file for real data)");
        }
    }

    private static SingleOutputStreamOperator<AlertRevision> rule(DataStream<Routed> routed, BroadcastStream<String> rules,
                                                                  SequencedRuleFunction<?> rule, boolean waitInMemory, String uid, String name) {
        if (waitInMemory) {
            rule.waitInMemory();
        }
        return routed.keyBy(Routed::key).connect(rules).process(rule).uid(uid).name(name);
    }

    /** {@code route} on each of {@code streams}, chained to it, as one stream. */
    private static DataStream<Routed> route(List<DataStream<Event>> streams, FlatMapFunction<Event, Routed> route, String name) {
        List<DataStream<Routed>> routed = new ArrayList<>();
        for (DataStream<Event> s : streams) {
            routed.add(s.flatMap(route).returns(Routed.TYPE).name(name));
        }
        return union(routed);
    }

    private static <T> DataStream<T> union(List<? extends DataStream<T>> streams) {
        DataStream<T> all = streams.get(0);
        for (int i = 1; i < streams.size(); i++) {
            all = all.union(streams.get(i));
        }
        return all;
    }

    /** An empty stream of rule updates (replay: the pack stays as submitted). */
    public static DataStream<RawRecord> noRuleUpdates(StreamExecutionEnvironment env) {
        return env.fromSequence(0, 0).filter(x -> false).map(x -> RawRecord.line(new byte[0], "none", 0))
                .returns(RawRecord.class).name("no rule updates");
    }
}
