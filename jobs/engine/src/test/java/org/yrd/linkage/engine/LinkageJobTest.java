package org.yrd.linkage.engine;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alerting.AlertJson;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.replay.Replay;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EventSerializer;
import org.yrd.linkage.runtime.RawRecord;
import org.yrd.linkage.testing.FinalAlerts;
import org.yrd.linkage.testing.Project;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LinkageJob#build} on its own, as flink-training tests a job: in-memory sources, a
 * collecting sink, a MiniCluster at parallelism 2. The worked example read into memory gives its
 * expected final alerts and its 15 dead letters, with no file source or sink involved.
 */
class LinkageJobTest {

    private static final String DEAD = "dead-letter ";

    @Test
    void workedExampleFromMemoryGivesItsExpectedFinalAlertsAndFifteenDeadLetters(@TempDir Path tmp) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(Replay.configuration(2, new Configuration()));
        Map<StreamKind, DataStream<RawRecord>> inputs = new EnumMap<>(StreamKind.class);
        for (Map.Entry<StreamKind, Path> f : Replay.inputs(Project.example("small").resolve("in")).entrySet()) {
            List<RawRecord> lines = new ArrayList<>();
            for (String line : Files.readAllLines(f.getValue())) {
                lines.add(RawRecord.line(line.getBytes(StandardCharsets.UTF_8), f.getKey().baseName(), lines.size() + 1));
            }
            // one reader per stream, in file order, as a replay file or a Kafka partition is read
            inputs.put(f.getKey(), env.fromData(lines, TypeInformation.of(RawRecord.class)).setParallelism(1));
        }
        Collecting sinks = new Collecting();
        LinkageJob.build(inputs, sinks, RulePack.defaults(), env.getConfiguration());

        List<String> alerts = new ArrayList<>();
        int deadLetters = 0;
        try (CloseableIterator<String> out = sinks.records.executeAndCollect()) {
            while (out.hasNext()) {
                String record = out.next();
                if (record.startsWith(DEAD)) {
                    deadLetters++;
                } else {
                    alerts.add(record);
                }
            }
        }
        Path alertsFile = Files.write(tmp.resolve("alerts.jsonl"), alerts);
        assertThat(FinalAlerts.ofAlertsFile(alertsFile))
                .isEqualTo(FinalAlerts.ofExpectedFile(Project.example("small").resolve("expected-final-alerts.jsonl")));
        assertThat(deadLetters).isEqualTo(15);
    }

    /**
     * Events cross the network on their way to the rules, a call to nine grid cells: every step
     * that sends events or routed events on gives them their hand-written wire form, not Flink's
     * POJO serializer, in a replay on the heap (de-duplicated in file order), in RocksDB (keyed)
     * and with rule updates (live).
     */
    @ParameterizedTest
    @CsvSource({"hashmap, false", "rocksdb, false", "rocksdb, true"})
    void everyStepThatSendsEventsOnUsesTheirWireForm(String backend, boolean ruleUpdates) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(Replay.configuration(2, conf));
        Map<StreamKind, DataStream<RawRecord>> inputs = new EnumMap<>(StreamKind.class);
        for (StreamKind stream : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
            inputs.put(stream, env.fromData(List.of(RawRecord.line(new byte[] {'{', '}'}, stream.baseName(), 1)),
                    TypeInformation.of(RawRecord.class)).setParallelism(1));
        }
        LinkageJob.build(inputs, ruleUpdates ? LinkageJob.noRuleUpdates(env) : null, new Collecting(), RulePack.defaults(), env.getConfiguration());

        Map<String, TypeSerializer<?>> sending = new TreeMap<>();
        for (StreamNode node : env.getStreamGraph(false).getStreamNodes()) {
            String name = node.getOperatorName();
            if (name.startsWith("ingest") || name.startsWith("dedupe") || name.startsWith("route") || name.equals("acks")) {
                sending.put(name + "#" + node.getId(), node.getTypeSerializerOut());
            }
        }
        // four ingestions, de-duplication and the acks (once, or per stream in file order), the routing to five rules
        assertThat(sending).hasSizeGreaterThanOrEqualTo(4 + 1 + 1 + 5);
        assertThat(sending).allSatisfy((name, serializer) ->
                assertThat(serializer).as(name).isInstanceOfAny(EventSerializer.class, Routed.Serializer.class));
    }

    /** Every alert record (one per recipient, as JSON) and every dead letter, in one collected stream. */
    private static final class Collecting implements LinkageJob.Sinks {
        DataStream<String> records;

        @Override
        public void alerts(DataStream<AlertRevision> alerts) {
            add(alerts.flatMap((AlertRevision r, Collector<String> out) -> {
                for (String recipient : r.recipients()) {
                    out.collect(AlertJson.alert(r, recipient));
                }
            }).returns(Types.STRING));
        }

        @Override
        public void deadLetters(DataStream<DeadLetter> deadLetters) {
            add(deadLetters.map(d -> DEAD + AlertJson.deadLetter(d)).returns(Types.STRING));
        }

        private void add(DataStream<String> s) {
            records = records == null ? s : records.union(s);
        }
    }
}
