package org.yrd.linkage.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.ops.FlinkRest;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.KafkaBroker;
import org.yrd.linkage.testing.LiveJobs;
import org.yrd.linkage.testing.Ticks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live mode on a real Kafka broker and a Flink MiniCluster: planted chains produced into the input
 * topics reach every affected province's topic at once and the alert's current state the
 * compacted alerts-state topic, malformed records and records stamped ahead of the wall clock
 * reach the dead-letter topic, and escalations fire through a quiet period.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LiveModeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaBroker kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = new KafkaBroker();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    private static JobClient startJob(String prefix, RulePack pack, Map<String, String> options) throws Exception {
        return LiveJobs.start(kafka, prefix, pack, options);
    }

    private static String sensor(String id, long ts, double lat, double lon, String city) {
        return "{\"id\":\"" + id + "\",\"sensorId\":\"GAS-" + id + "\",\"kind\":\"GAS\",\"value\":40,\"ts\":" + ts
                + ",\"lat\":" + lat + ",\"lon\":" + lon + ",\"cityCode\":\"" + city + "\"}";
    }

    private static String call(String id, long ts, double lat, double lon, String city) {
        return "{\"id\":\"" + id + "\",\"ts\":" + ts + ",\"lat\":" + lat + ",\"lon\":" + lon
                + ",\"category\":\"FIRE\",\"cityCode\":\"" + city + "\"}";
    }

    private static List<JsonNode> values(List<ConsumerRecord<String, String>> records) {
        List<JsonNode> nodes = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            try {
                nodes.add(JSON.readTree(r.value()));
            } catch (Exception e) {
                throw new AssertionError(r.value(), e);
            }
        }
        return nodes;
    }

    @Test
    void crossBorderChainReachesEveryAffectedProvinceAtOnceEvenOutOfOrder() throws Exception {
        String prefix = "t1.";
        Topics topics = new Topics(prefix);
        JobClient job = startJob(prefix, RulePack.defaults(), Map.of());
        try {
            long now = System.currentTimeMillis();
            // calls arrive before the earlier-stamped breach that they follow: the alert must not wait 5 min for the watermark
            kafka.produce(topics.input(StreamKind.CALL), List.of(
                    call("c1", now - 50_000, 31.30, 121.05, "320583"),
                    call("c2", now - 40_000, 31.30, 121.10, "310114"),
                    call("c3", now - 30_000, 31.30, 121.12, "310114"),
                    "{\"id\":\"broken\",\"ts\":"));
            long sent = System.currentTimeMillis();
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(sensor("s1", now - 60_000, 31.30, 121.0, "320583")));

            List<ConsumerRecord<String, String>> got = kafka.consumeUntil(
                    List.of(topics.alerts("310000"), topics.alerts("320000")), Duration.ofSeconds(90), r -> r.size() >= 2);
            long arrived = System.currentTimeMillis();
            assertThat(values(got)).extracting(n -> n.get("alertId").asText() + " " + n.get("recipient").asText() + " " + n.get("msgType").asText())
                    .containsExactlyInAnyOrder("INC-CASCADE:s1 310000 ALERT", "INC-CASCADE:s1 320000 ALERT");
            JsonNode alert = values(got).get(0);
            assertThat(alert.get("severity").asText()).isEqualTo("CRITICAL");
            assertThat(alert.get("evidence")).hasSize(4);
            assertThat(arrived - sent).as("the alert may not wait out the 5 min out-of-orderness bound").isLessThan(60_000);

            List<ConsumerRecord<String, String>> dead = kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(30), r -> !r.isEmpty());
            assertThat(values(dead)).extracting(n -> n.get("stream").asText() + " " + n.get("reason").asText())
                    .containsExactly("CALL MALFORMED_JSON");
            List<ConsumerRecord<String, String>> cap = kafka.consumeUntil(List.of(topics.cap("310000")), Duration.ofSeconds(30), r -> !r.isEmpty());
            assertThat(cap.get(0).value()).contains("<identifier>INC-CASCADE:s1#1#310000</identifier>");

            // the alert's current state: one record keyed by its id, with every recipient, on a compacted topic
            List<ConsumerRecord<String, String>> state = kafka.consumeUntil(List.of(topics.alertsState()), Duration.ofSeconds(30), r -> !r.isEmpty());
            assertThat(state).extracting(ConsumerRecord::key).containsExactly("INC-CASCADE:s1");
            JsonNode current = values(state).get(0);
            assertThat(current.get("recipients")).extracting(JsonNode::asText).containsExactly("310000", "320000");
            assertThat(current.has("recipient")).isFalse();
            assertThat(current.get("revision").asInt()).isEqualTo(alert.get("revision").asInt());
            assertThat(current.get("evidence")).isEqualTo(alert.get("evidence"));
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topics.alertsState());
                assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                        .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            }
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void recordsStampedYearsAheadAreFutureAndAChainProducedAfterThemStillAlerts() throws Exception {
        String prefix = "t5.";
        Topics topics = new Topics(prefix);
        JobClient job = startJob(prefix, RulePack.defaults(), Map.of());
        try {
            long now = System.currentTimeMillis();
            long year3000 = now + 974L * 365 * 24 * 3600 * 1000;
            // devices whose clocks say year 3000, then a planted chain; one producer call per topic, so one partition each
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(
                    sensor("wrong-clock", year3000, 31.30, 121.0, "320583"),
                    sensor("w1", now - 60_000, 31.30, 121.0, "320583")));
            kafka.produce(topics.input(StreamKind.CALL), List.of(
                    call("wrong-clock-call", year3000, 31.30, 121.05, "320583"),
                    call("w-c1", now - 50_000, 31.30, 121.05, "320583"),
                    call("w-c2", now - 40_000, 31.30, 121.10, "310114"),
                    call("w-c3", now - 30_000, 31.30, 121.12, "310114")));

            List<ConsumerRecord<String, String>> got = kafka.consumeUntil(
                    List.of(topics.alerts("310000"), topics.alerts("320000")), Duration.ofSeconds(90), r -> r.size() >= 2);
            assertThat(values(got)).extracting(n -> n.get("alertId").asText() + " " + n.get("recipient").asText() + " " + n.get("msgType").asText())
                    .containsExactlyInAnyOrder("INC-CASCADE:w1 310000 ALERT", "INC-CASCADE:w1 320000 ALERT");
            assertThat(values(got).get(0).get("evidence")).hasSize(4);

            List<ConsumerRecord<String, String>> dead = kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(30), r -> r.size() >= 2);
            assertThat(values(dead)).extracting(n -> n.get("stream").asText() + " " + n.get("reason").asText())
                    .containsExactlyInAnyOrder("SENSOR FUTURE", "CALL FUTURE");
            assertThat(values(dead)).extracting(n -> n.get("source").asText()).anySatisfy(
                    source -> assertThat(source).matches(java.util.regex.Pattern.quote(topics.input(StreamKind.SENSOR)) + "/[0-9]+/0"));
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void escalationFiresThroughAQuietPeriod() throws Exception {
        String prefix = "t2.";
        Topics topics = new Topics(prefix);
        RulePack defaults = RulePack.defaults();
        RulePack quickSla = new RulePack(defaults.id(), "test", defaults.hazards(), defaults.cascade(), defaults.spread(),
                defaults.cluster(), defaults.link(), defaults.burst(),
                new RulePack.Escalation(true, Map.of(Severity.CRITICAL, Duration.ofSeconds(3), Severity.HIGH, Duration.ofSeconds(3))));
        JobClient job = startJob(prefix, quickSla, Map.of(
                EngineOptions.OUT_OF_ORDERNESS.key(), "2 s", EngineOptions.QUIET_AFTER.key(), "1 s"));
        try {
            // with a 2 s bound, records stamped before the job reads its topics would be LATE: wait until it does
            kafka.produce(topics.input(StreamKind.SENSOR), List.of("{\"warm-up\":1}"));
            kafka.produce(topics.input(StreamKind.CALL), List.of("{\"warm-up\":1}"));
            assertThat(kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(60), r -> r.size() >= 2)).hasSize(2);
            long now = System.currentTimeMillis();
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(sensor("q1", now, 31.30, 121.0, "320583")));
            kafka.produce(topics.input(StreamKind.CALL), List.of(
                    call("d1", now + 1, 31.30, 121.05, "320583"),
                    call("d2", now + 2, 31.30, 121.10, "310114"),
                    call("d3", now + 3, 31.30, 121.12, "310114")));
            // Shanghai acknowledges in time; Jiangsu never does, and nothing else comes in
            kafka.produce(topics.acks("310000"), List.of(
                    "{\"alertId\":\"INC-CASCADE:q1\",\"province\":\"310000\",\"ts\":" + (now + 1000) + ",\"status\":\"RECEIVED\"}"));

            List<ConsumerRecord<String, String>> got = kafka.consumeUntil(List.of(topics.alerts("YRD")), Duration.ofSeconds(90), r -> !r.isEmpty());
            assertThat(values(got)).extracting(n -> n.get("alertId").asText() + " " + n.get("kind").asText())
                    .containsExactly("ESC-ACK:INC-CASCADE:q1:320000 ESCALATION");
            assertThat(values(got).get(0).get("detectedTs").asLong()).isEqualTo(now + 3 + 3000);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * The demo's mode: time is the records' only, and a quiet stream is idle. When every input
     * stream is quiet, nothing else may move time either: the rule-pack stream, which has no time
     * of its own, once did (its watermark was the end of time), and every escalation deadline then
     * fired at once, or never.
     */
    @Test
    void whenEveryStreamIsQuietTimeStandsStillAndEscalationsWaitForTheirDeadline() throws Exception {
        String prefix = "t7.";
        Topics topics = new Topics(prefix);
        JobClient job = startJob(prefix, RulePack.defaults(), Map.of(EngineOptions.CLOCK_ADVANCE.key(), "false",
                EngineOptions.OUT_OF_ORDERNESS.key(), "10 s", EngineOptions.QUIET_AFTER.key(), "1 s"));
        try {
            kafka.produce(topics.input(StreamKind.SENSOR), List.of("{\"warm-up\":1}"));
            kafka.produce(topics.input(StreamKind.CALL), List.of("{\"warm-up\":1}"));
            assertThat(kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(60), r -> r.size() >= 2)).hasSize(2);
            Thread.sleep(3000); // every stream quiet, so idle

            // a cross-border cascade two hours ago (time is the records'), to Shanghai and Jiangsu: SLA 5 min
            long t = System.currentTimeMillis() / 1000 * 1000 - Duration.ofHours(2).toMillis();
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(sensor("q1", t, 31.30, 121.0, "320583")));
            kafka.produce(topics.input(StreamKind.CALL), List.of(call("d1", t + 1, 31.30, 121.05, "320583"),
                    call("d2", t + 2, 31.30, 121.10, "310114"), call("d3", t + 3, 31.30, 121.12, "310114")));
            for (long s = 10; s <= 120; s += 10) {
                Ticks.moveEveryStreamTo(kafka, topics, t + s * 1000, "m" + s, "340000");
            }
            assertThat(kafka.consumeUntil(List.of(topics.alerts("320000")), Duration.ofSeconds(60), r -> !r.isEmpty())).isNotEmpty();
            Thread.sleep(3000); // every stream quiet again, two minutes after the alert
            assertThat(kafka.readAll(List.of(topics.alerts("YRD")), Duration.ofSeconds(20))).as("escalations before the deadline").isEmpty();

            // Shanghai answers in time, Jiangsu does not; time moves past the deadline
            kafka.produce(topics.acks("310000"), List.of("{\"alertId\":\"INC-CASCADE:q1\",\"province\":\"310000\",\"ts\":"
                    + (t + 125_000) + ",\"status\":\"RECEIVED\"}"));
            for (long s = 140; s <= 420; s += 20) {
                Ticks.moveEveryStreamTo(kafka, topics, t + s * 1000, "m" + s, "340000");
            }
            assertThat(kafka.consumeUntil(List.of(topics.alerts("YRD")), Duration.ofSeconds(60), r -> !r.isEmpty()))
                    .as("an escalation once time has passed the deadline").isNotEmpty();
            List<JsonNode> escalations = values(kafka.readAll(List.of(topics.alerts("YRD")), Duration.ofSeconds(20)));
            assertThat(escalations).extracting(n -> n.get("alertId").asText()).containsExactly("ESC-ACK:INC-CASCADE:q1:320000");
            assertThat(escalations.get(0).get("detectedTs").asLong()).isEqualTo(t + 3 + Duration.ofMinutes(5).toMillis());
        } finally {
            job.cancel().get();
        }
    }

    /** The INC-CASCADE alerts read so far, as {@code alertId vRuleVersion}. */
    private static List<String> cascadeAlerts(List<ConsumerRecord<String, String>> records) {
        return values(records).stream().map(n -> n.get("alertId").asText() + " v" + n.get("ruleVersion").asText()).toList();
    }

    private static long ruleDeadLetters(List<ConsumerRecord<String, String>> records) {
        return records.stream().filter(r -> r.value().contains("\"stream\":\"RULE\"")).count();
    }

    /** Waits until {@code group} has committed offsets of {@code topic} that add up to {@code records}. */
    private static void awaitCommitted(String group, String topic, long records) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long committed = 0;
            while (committed < records && System.nanoTime() < end) {
                Thread.sleep(500);
                committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(topic)).mapToLong(e -> e.getValue().offset()).sum();
            }
            assertThat(committed).as("offsets of %s committed by %s", topic, group).isEqualTo(records);
        }
    }

    @Test
    void rulePackPublishedLiveChangesNewEventsKeepsAnotherRulesOpenIncidentAndIsInForceAfterARestartWithoutState() throws Exception {
        String prefix = "t3.";
        Topics topics = new Topics(prefix);
        List<String> alertTopics = List.of(topics.alerts("310000"), topics.alerts("320000"), topics.alerts("330000"));
        JobClient job = startJob(prefix, RulePack.defaults(), Map.of());
        try {
            long now = System.currentTimeMillis();
            // an incident opens under the default pack: a breach and two of the three calls it needs
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(sensor("a1", now, 31.30, 121.0, "320583")));
            kafka.produce(topics.input(StreamKind.CALL), List.of(
                    call("a-c1", now + 1000, 31.30, 121.05, "320583"), call("a-c2", now + 2000, 31.30, 121.10, "310114")));

            // packs that do not parse or hold values out of range (version 9) are dead-lettered; the job runs on with its pack
            RulePack d = RulePack.defaults();
            String v9 = org.yrd.linkage.rules.RulePackFile.toYaml(new RulePack(d.id(), "9", d.hazards(), d.cascade(), d.spread(),
                    d.cluster(), d.link(), d.burst(), d.escalation()));
            // the rules topic is compacted: every pack is keyed by its id
            kafka.produce(topics.rules(), "broken", "id: broken\nversion: 3\n");
            kafka.produce(topics.rules(), d.id(), v9.replaceFirst("window: 30m", "window: 200000000000d"));
            kafka.produce(topics.rules(), d.id(), v9.replace("GAS: {threshold: 25", "GAS: {threshold: -1"));
            List<ConsumerRecord<String, String>> rejected = kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(60),
                    r -> ruleDeadLetters(r) >= 3);
            assertThat(values(rejected)).filteredOn(n -> n.get("stream").asText().equals("RULE"))
                    .allSatisfy(n -> assertThat(n.get("reason").asText()).isEqualTo("SCHEMA"))
                    .extracting(n -> n.get("detail").asText()).satisfiesExactlyInAnyOrder(
                            broken -> assertThat(broken).contains("update:1 hazards: missing"),
                            window -> assertThat(window).contains("update:16 INC-CASCADE.window: 200000000000d is too long"),
                            threshold -> assertThat(threshold).contains("update:7 hazards.GAS.threshold: -1 is too low"));
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            long mid = System.currentTimeMillis();
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(
                    "{\"id\":\"z1\",\"sensorId\":\"GAS-z\",\"kind\":\"GAS\",\"value\":40,\"ts\":" + mid
                            + ",\"lat\":30.27,\"lon\":120.15,\"cityCode\":\"330100\"}"));
            kafka.produce(topics.input(StreamKind.CALL), List.of(call("z-c1", mid + 1, 30.27, 120.16, "330100"),
                    call("z-c2", mid + 2, 30.28, 120.15, "330100"), call("z-c3", mid + 3, 30.27, 120.17, "330100")));
            assertThat(cascadeAlerts(kafka.consumeUntil(alertTopics, Duration.ofSeconds(60),
                    r -> cascadeAlerts(r).stream().anyMatch(a -> a.startsWith("INC-CASCADE:z1 "))))).contains("INC-CASCADE:z1 v1");

            java.util.Map<org.yrd.linkage.model.SensorKind, RulePack.Hazard> hazards = new java.util.EnumMap<>(d.hazards());
            RulePack.Hazard gas = hazards.get(org.yrd.linkage.model.SensorKind.GAS);
            hazards.put(org.yrd.linkage.model.SensorKind.GAS, new RulePack.Hazard(20, gas.unit(), gas.relatedCalls()));
            RulePack.Cluster c = d.cluster();
            RulePack v2 = new RulePack(d.id(), "2", hazards, d.cascade(), d.spread(),
                    new RulePack.Cluster(c.enabled(), c.categories(), 12.0, c.window(), c.minCalls(), c.minProvinces(), c.severity()),
                    d.link(), d.burst(), d.escalation());
            kafka.produce(topics.rules(), v2.id(), org.yrd.linkage.rules.RulePackFile.toYaml(v2));
            Thread.sleep(3000);

            long later = System.currentTimeMillis();
            kafka.produce(topics.input(StreamKind.CALL), List.of(call("a-c3", now + 3000, 31.30, 121.12, "310114")));
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(
                    "{\"id\":\"b1\",\"sensorId\":\"GAS-b\",\"kind\":\"GAS\",\"value\":22,\"ts\":" + later
                            + ",\"lat\":30.80,\"lon\":120.80,\"cityCode\":\"330400\"}"));
            kafka.produce(topics.input(StreamKind.CALL), List.of(
                    call("b-c1", later + 1, 30.80, 120.81, "330400"), call("b-c2", later + 2, 30.81, 120.80, "330400"),
                    call("b-c3", later + 3, 30.80, 120.82, "330400")));

            List<ConsumerRecord<String, String>> got = kafka.consumeUntil(alertTopics, Duration.ofSeconds(90),
                    r -> cascadeAlerts(r).containsAll(List.of("INC-CASCADE:a1 v2", "INC-CASCADE:b1 v2")));
            assertThat(cascadeAlerts(got)).contains("INC-CASCADE:a1 v2", "INC-CASCADE:b1 v2");
            // as a job that ran on for a while would have: its offsets of the rules topic are committed past every pack
            awaitCommitted(prefix + "engine", topics.rules(), 4);
        } finally {
            job.cancel().get();
        }

        // a new job without state, of the same group, reads the rules topic again and takes up the last valid pack
        job = startJob(prefix, RulePack.defaults(), Map.of());
        try {
            assertThat(ruleDeadLetters(kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(45), r -> ruleDeadLetters(r) >= 6)))
                    .as("dead letters of the rules topic's invalid packs, read again by the new job").isEqualTo(6);
            Thread.sleep(3000);
            long restarted = System.currentTimeMillis();
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(
                    "{\"id\":\"r1\",\"sensorId\":\"GAS-r\",\"kind\":\"GAS\",\"value\":22,\"ts\":" + restarted
                            + ",\"lat\":32.06,\"lon\":118.80,\"cityCode\":\"320100\"}"));
            kafka.produce(topics.input(StreamKind.CALL), List.of(call("r-c1", restarted + 1, 32.06, 118.81, "320100"),
                    call("r-c2", restarted + 2, 32.07, 118.80, "320100"), call("r-c3", restarted + 3, 32.06, 118.82, "320100")));
            assertThat(cascadeAlerts(kafka.consumeUntil(alertTopics, Duration.ofSeconds(90),
                    r -> cascadeAlerts(r).stream().anyMatch(a -> a.startsWith("INC-CASCADE:r1 "))))).contains("INC-CASCADE:r1 v2");
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void metricsReadThroughTheRestApiEqualWhatTheJobWrote() throws Exception {
        String prefix = "t4.";
        Topics topics = new Topics(prefix);
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        JobClient job = startJob(prefix, RulePack.defaults(), Map.of("rest.port", Integer.toString(port),
                "rest.bind-address", "127.0.0.1", "metrics.fetcher.update-interval", "500 ms"));
        try {
            long now = System.currentTimeMillis();
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(sensor("m1", now, 31.30, 121.0, "320583"),
                    "{\"id\":\"far\",\"sensorId\":\"x\",\"kind\":\"GAS\",\"value\":1,\"ts\":" + now + ",\"lat\":39.9,\"lon\":116.4}",
                    "not json", sensor("ahead", now + Duration.ofDays(1).toMillis(), 31.30, 121.0, "320583")));
            kafka.produce(topics.input(StreamKind.CALL), List.of(call("m-c1", now + 1, 31.30, 121.05, "320583"),
                    call("m-c2", now + 2, 31.30, 121.10, "310114"), call("m-c3", now + 3, 31.30, 121.12, "310114"), "{\"id\":1}"));
            List<ConsumerRecord<String, String>> dead = kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(60), r -> r.size() >= 4);
            List<String> alertTopics = new ArrayList<>();
            Topics.RECIPIENTS.forEach(r -> alertTopics.add(topics.alerts(r)));
            List<ConsumerRecord<String, String>> alerts = kafka.consumeUntil(alertTopics, Duration.ofSeconds(60), r -> r.size() >= 2);

            Map<String, Double> expected = new java.util.TreeMap<>();
            for (JsonNode d : values(dead)) {
                expected.merge("deadLetters stream=" + d.get("stream").asText() + " reason=" + d.get("reason").asText(), 1.0, Double::sum);
            }
            for (JsonNode a : values(alerts)) {
                expected.merge("alertRecords rule=" + a.get("ruleId").asText() + " msgType=" + a.get("msgType").asText()
                        + " recipient=" + a.get("recipient").asText(), 1.0, Double::sum);
            }
            assertThat(expected).containsKeys("deadLetters stream=SENSOR reason=OUT_OF_REGION", "deadLetters stream=SENSOR reason=MALFORMED_JSON",
                    "deadLetters stream=SENSOR reason=FUTURE",
                    "deadLetters stream=CALL reason=SCHEMA", "alertRecords rule=INC-CASCADE msgType=ALERT recipient=310000");
            FlinkRest rest = new FlinkRest("http://127.0.0.1:" + port);
            Map<String, Double> read = Map.of();
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < end) {
                Map<String, Double> all = rest.engineMetrics(job.getJobID().toString());
                read = new java.util.TreeMap<>();
                for (Map.Entry<String, Double> e : all.entrySet()) {
                    if ((e.getKey().startsWith("deadLetters") || e.getKey().startsWith("alertRecords")) && e.getValue() > 0) {
                        read.put(e.getKey(), e.getValue());
                    }
                }
                if (read.equals(expected)) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(read).isEqualTo(expected);
        } finally {
            job.cancel().get();
        }
    }
}
