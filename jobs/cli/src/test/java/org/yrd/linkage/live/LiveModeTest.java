package org.yrd.linkage.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live mode on a real Kafka broker and a Flink MiniCluster: planted chains produced into the input
 * topics reach every affected province's topic at once and the alert's current state the
 * compacted alerts-state topic, malformed records reach the dead-letter topic, and escalations
 * fire through a quiet period.
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

    /** Starts the live job on its own topic prefix; returns the client to cancel it. */
    private static JobClient startJob(String prefix, RulePack pack, Map<String, String> options) throws Exception {
        Configuration user = new Configuration();
        user.set(EngineOptions.KAFKA_BOOTSTRAP, kafka.bootstrap());
        user.set(EngineOptions.TOPIC_PREFIX, prefix);
        user.set(EngineOptions.KAFKA_CREATE_TOPICS, true);
        user.set(EngineOptions.KAFKA_START, EngineOptions.StartPosition.EARLIEST);
        user.set(EngineOptions.KAFKA_GROUP, prefix + "engine");
        user.set(EngineOptions.IDENTIFIER_DEV_KEY, true);
        user.setString("parallelism.default", "2");
        user.setString("restart-strategy.type", "none");
        user.setString("execution.checkpointing.interval", "2 s");
        user.setString("execution.checkpointing.dir", "file://" + System.getProperty("java.io.tmpdir") + "/checkpoints-" + UUID.randomUUID());
        user.addAll(Configuration.fromMap(options));
        Configuration conf = LiveJob.withLiveDefaults(user);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        LiveJob.prepare(env, conf, pack);
        return env.executeAsync(LiveJob.JOB_NAME);
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

    @Test
    void rulePackPublishedLiveChangesNewEventsAndKeepsAnotherRulesOpenIncident() throws Exception {
        String prefix = "t3.";
        Topics topics = new Topics(prefix);
        JobClient job = startJob(prefix, RulePack.defaults(), Map.of());
        try {
            long now = System.currentTimeMillis();
            // an incident opens under the default pack: a breach and two of the three calls it needs
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(sensor("a1", now, 31.30, 121.0, "320583")));
            kafka.produce(topics.input(StreamKind.CALL), List.of(
                    call("a-c1", now + 1000, 31.30, 121.05, "320583"), call("a-c2", now + 2000, 31.30, 121.10, "310114")));

            RulePack d = RulePack.defaults();
            java.util.Map<org.yrd.linkage.model.SensorKind, RulePack.Hazard> hazards = new java.util.EnumMap<>(d.hazards());
            RulePack.Hazard gas = hazards.get(org.yrd.linkage.model.SensorKind.GAS);
            hazards.put(org.yrd.linkage.model.SensorKind.GAS, new RulePack.Hazard(20, gas.unit(), gas.relatedCalls()));
            RulePack.Cluster c = d.cluster();
            RulePack v2 = new RulePack(d.id(), "2", hazards, d.cascade(), d.spread(),
                    new RulePack.Cluster(c.enabled(), c.categories(), 12.0, c.window(), c.minCalls(), c.minProvinces(), c.severity()),
                    d.link(), d.burst(), d.escalation());
            kafka.produce(topics.rules(), List.of("id: broken\nversion: 3\n", org.yrd.linkage.rules.RulePackFile.toYaml(v2)));
            List<ConsumerRecord<String, String>> rejected = kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(60),
                    r -> r.stream().anyMatch(x -> x.value().contains("\"stream\":\"RULE\"")));
            assertThat(rejected).anySatisfy(r -> assertThat(r.value()).contains("\"stream\":\"RULE\"").contains("SCHEMA"));
            Thread.sleep(3000);

            long later = System.currentTimeMillis();
            kafka.produce(topics.input(StreamKind.CALL), List.of(call("a-c3", now + 3000, 31.30, 121.12, "310114")));
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(
                    "{\"id\":\"b1\",\"sensorId\":\"GAS-b\",\"kind\":\"GAS\",\"value\":22,\"ts\":" + later
                            + ",\"lat\":30.80,\"lon\":120.80,\"cityCode\":\"330400\"}"));
            kafka.produce(topics.input(StreamKind.CALL), List.of(
                    call("b-c1", later + 1, 30.80, 120.81, "330400"), call("b-c2", later + 2, 30.81, 120.80, "330400"),
                    call("b-c3", later + 3, 30.80, 120.82, "330400")));

            List<ConsumerRecord<String, String>> got = kafka.consumeUntil(List.of(topics.alerts("320000"), topics.alerts("330000")),
                    Duration.ofSeconds(90), r -> values(r).stream().map(n -> n.get("alertId").asText()).distinct().count() >= 2);
            assertThat(values(got)).extracting(n -> n.get("alertId").asText() + " v" + n.get("ruleVersion").asText())
                    .contains("INC-CASCADE:a1 v2", "INC-CASCADE:b1 v2");
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
                    "not json"));
            kafka.produce(topics.input(StreamKind.CALL), List.of(call("m-c1", now + 1, 31.30, 121.05, "320583"),
                    call("m-c2", now + 2, 31.30, 121.10, "310114"), call("m-c3", now + 3, 31.30, 121.12, "310114"), "{\"id\":1}"));
            List<ConsumerRecord<String, String>> dead = kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(60), r -> r.size() >= 3);
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
