package org.yrd.linkage.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.ops.FlinkRest;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.testing.KafkaBroker;
import org.yrd.linkage.testing.LiveJobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contracted topics on a real broker: {@code --create-topics} creates them as the manifests
 * declare, the live job does not start when one is missing, and a province's acknowledgements
 * count only on its own topic (contracts/README.md, "Wire format").
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LiveTopicsTest {

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

    private static Configuration live(String prefix) {
        Configuration conf = new Configuration();
        conf.set(EngineOptions.KAFKA_BOOTSTRAP, kafka.bootstrap());
        conf.set(EngineOptions.TOPIC_PREFIX, prefix);
        conf.set(EngineOptions.IDENTIFIER_DEV_KEY, true);
        return LiveJob.withLiveDefaults(conf);
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrap());
        return Admin.create(p);
    }

    @Test
    void createTopicsCreatesEveryTopicWithThePartitionsAndCompactionTheManifestsDeclare() throws Exception {
        Configuration conf = live("c1.");
        Topics topics = new Topics("c1.");

        List<String> created = KafkaIO.createTopics(conf, KafkaIO.clientProperties(conf));

        assertThat(created).containsExactlyInAnyOrderElementsOf(topics.all());
        try (Admin admin = admin()) {
            Map<String, TopicDescription> described = admin.describeTopics(topics.all()).allTopicNames().get();
            for (Topics.Spec s : topics.specs()) {
                assertThat(described.get(s.name()).partitions()).as(s.name()).hasSize(s.partitions());
                var config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, s.name())))
                        .all().get().values().iterator().next();
                s.configs().forEach((k, v) -> assertThat(config.get(k).value()).as(s.name() + " " + k).isEqualTo(v));
            }
        }
        assertThat(KafkaIO.createTopics(conf, KafkaIO.clientProperties(conf))).as("a second run finds them all").isEmpty();
    }

    @Test
    void withoutCreateTopicsAMissingOutputTopicStopsTheStartInOneLineNamingIt() throws Exception {
        Topics topics = new Topics("c2.");
        try (Admin admin = admin()) {
            List<NewTopic> all = new ArrayList<>();
            for (Topics.Spec s : topics.specs()) {
                if (!s.name().equals(topics.ruleFeedback())) {
                    all.add(new NewTopic(s.name(), s.partitions(), (short) 1).configs(s.configs()));
                }
            }
            admin.createTopics(all).all().get();
            KafkaIO.awaitVisible(admin, all.stream().map(NewTopic::name).toList());
        }
        Configuration conf = live("c2.");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);

        assertThatThrownBy(() -> LiveJob.prepare(env, conf, RulePack.defaults()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("kafka at " + kafka.bootstrap() + ": c2.rule-feedback does not exist (linkage.kafka.create-topics creates "
                        + "missing topics; deploy/k8s/kafka-topics.yaml and kafka-users.yaml declare topics and ACLs)");
    }

    @Test
    void anOutputThatFailsAtRunTimeFailsTheJobAndItsLastFailureNamesTheTopicAndWhy() throws Exception {
        String prefix = "f1.";
        Topics topics = new Topics(prefix);
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        JobClient job = LiveJobs.start(kafka, prefix, RulePack.defaults(), Map.of("rest.port", Integer.toString(port),
                "rest.bind-address", "127.0.0.1", "restart-strategy.type", "fixed-delay",
                "restart-strategy.fixed-delay.attempts", "100", "restart-strategy.fixed-delay.delay", "2 s",
                EngineOptions.KAFKA_PROPERTIES_PREFIX + "max.block.ms", "3000"));
        try {
            // the dead-letter topic goes away under the running job (its check passed at the start)
            try (Admin admin = admin()) {
                admin.deleteTopics(List.of(topics.deadLetters())).all().get();
                while (admin.listTopics().names().get().contains(topics.deadLetters())) {
                    Thread.sleep(100);
                }
            }
            kafka.produce(topics.input(StreamKind.SENSOR), List.of("not json"));

            FlinkRest rest = new FlinkRest("http://127.0.0.1:" + port);
            Optional<FlinkRest.Failure> failure = Optional.empty();
            long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (failure.isEmpty() && System.nanoTime() < end) {
                Thread.sleep(500);
                failure = rest.lastFailure(job.getJobID().toString());
            }
            // the task is the sink, named after its topic; the cause is the producer's, innermost
            assertThat(failure).get().satisfies(f -> {
                assertThat(f.task()).contains("kafka " + topics.deadLetters() + ": Writer");
                assertThat(f.cause()).matches("(UnknownTopicOrPartitionException: This server does not host this topic-partition"
                        + "|TimeoutException: Topic " + topics.deadLetters() + " not present in metadata after 3000 ms)\\.");
            });
        } finally {
            job.cancel().get();
        }
    }

    private static List<JsonNode> values(List<ConsumerRecord<String, String>> records) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            nodes.add(JSON.readTree(r.value()));
        }
        return nodes;
    }

    private static String ack(String alertId, String province, long ts) {
        return "{\"alertId\":\"" + alertId + "\",\"province\":\"" + province + "\",\"ts\":" + ts + ",\"status\":\"RECEIVED\"}";
    }

    @Test
    void anAckForAnotherProvinceOnAProvincesTopicIsForbiddenAndDoesNotStopThatProvincesEscalation() throws Exception {
        String prefix = "a1.";
        Topics topics = new Topics(prefix);
        RulePack d = RulePack.defaults();
        RulePack quickSla = new RulePack(d.id(), "test", d.hazards(), d.cascade(), d.spread(), d.cluster(), d.link(), d.burst(),
                new RulePack.Escalation(true, Map.of(Severity.CRITICAL, Duration.ofSeconds(3), Severity.HIGH, Duration.ofSeconds(3))));
        JobClient job = LiveJobs.start(kafka, prefix, quickSla, Map.of(
                EngineOptions.OUT_OF_ORDERNESS.key(), "2 s", EngineOptions.QUIET_AFTER.key(), "1 s"));
        try {
            // with a 2 s bound, records stamped before the job reads its topics would be LATE: wait until it does
            kafka.produce(topics.input(StreamKind.SENSOR), List.of("{\"warm-up\":1}"));
            kafka.produce(topics.input(StreamKind.CALL), List.of("{\"warm-up\":1}"));
            assertThat(kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(60), r -> r.size() >= 2)).hasSize(2);
            long now = System.currentTimeMillis();
            // two gas breaches in Jiangsu and three fire calls in Shanghai: two CRITICAL cascades (q1, q2) to 310000 and 320000
            String sensor = "{\"id\":\"%s\",\"sensorId\":\"GAS-%s\",\"kind\":\"GAS\",\"value\":40,\"ts\":%d,\"lat\":31.30,\"lon\":121.0,\"cityCode\":\"320583\"}";
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(String.format(sensor, "q1", "q1", now), String.format(sensor, "q2", "q2", now)));
            String call = "{\"id\":\"%s\",\"ts\":%d,\"lat\":31.30,\"lon\":%s,\"category\":\"FIRE\",\"cityCode\":\"%s\"}";
            kafka.produce(topics.input(StreamKind.CALL), List.of(String.format(call, "d1", now + 1, "121.05", "320583"),
                    String.format(call, "d2", now + 2, "121.10", "310114"), String.format(call, "d3", now + 3, "121.12", "310114")));
            // Shanghai acknowledges both on its topic, and forges Jiangsu's acknowledgement of q1 there;
            // Jiangsu acknowledges q2 on its own topic only
            kafka.produce(topics.acks("310000"), List.of(ack("INC-CASCADE:q1", "310000", now + 1000),
                    ack("INC-CASCADE:q2", "310000", now + 1000), ack("INC-CASCADE:q1", "320000", now + 1000)));
            kafka.produce(topics.acks("320000"), List.of(ack("INC-CASCADE:q2", "320000", now + 1000)));

            assertThat(kafka.consumeUntil(List.of(topics.alerts("YRD")), Duration.ofSeconds(90), r -> !r.isEmpty())).isNotEmpty();
            // both alerts share their deadlines: once one escalation is out, another would be too
            List<JsonNode> escalations = values(kafka.readAll(List.of(topics.alerts("YRD")), Duration.ofSeconds(20)));
            assertThat(escalations).extracting(n -> n.get("alertId").asText())
                    .containsExactly("ESC-ACK:INC-CASCADE:q1:320000");

            List<JsonNode> forbidden = values(kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(30),
                    r -> r.stream().anyMatch(x -> x.value().contains("FORBIDDEN")))).stream()
                    .filter(n -> n.get("stream").asText().equals("ACK")).toList();
            assertThat(forbidden).hasSize(1);
            assertThat(forbidden.get(0).get("reason").asText()).isEqualTo("FORBIDDEN");
            assertThat(forbidden.get(0).get("source").asText()).startsWith(topics.acks("310000") + "/");
            assertThat(forbidden.get(0).get("detail").asText())
                    .isEqualTo("province 320000 acknowledged on a1.alert-acks.310000, which only province 310000 writes");
        } finally {
            job.cancel().get();
        }
    }
}
