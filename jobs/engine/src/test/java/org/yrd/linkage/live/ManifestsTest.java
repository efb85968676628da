package org.yrd.linkage.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.testing.Project;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes manifests agree with the code: deploy/k8s/kafka-topics.yaml declares exactly the
 * topics of {@link Topics#specs()} with their partitions, compaction and retention, and
 * deploy/k8s/kafka-users.yaml gives each Kafka user exactly the topic access those specs name, and
 * the engine's user the transactional ids of its sinks. A topic the engine writes without a
 * KafkaTopic or an ACL fails the job on a cluster that does not let clients create topics.
 */
class ManifestsTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Topics TOPICS = new Topics(EngineOptions.TOPIC_PREFIX.defaultValue());

    private static List<JsonNode> documents(String manifest, String kind) throws IOException {
        Path file = Project.root().resolve("deploy/k8s").resolve(manifest);
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && kind.equals(d.path("kind").asText())) {
                    docs.add(d);
                }
            }
        }
        assertThat(docs).as("%s resources in %s", kind, manifest).isNotEmpty();
        return docs;
    }

    /** topic name -> "partitions N, key=value, ..." of the settings the engine's specs state. */
    private static Map<String, String> described(Map<String, Integer> partitions, Map<String, Map<String, String>> configs) {
        Map<String, String> out = new TreeMap<>();
        partitions.forEach((t, n) -> out.put(t, "partitions " + n + ", " + new TreeMap<>(configs.get(t))));
        return out;
    }

    @Test
    void kafkaTopicsDeclareExactlyTheEnginesTopicsWithTheirPartitionsCompactionAndRetention() throws IOException {
        Map<String, Integer> partitions = new TreeMap<>();
        Map<String, Map<String, String>> configs = new TreeMap<>();
        for (JsonNode t : documents("kafka-topics.yaml", "KafkaTopic")) {
            String name = t.path("spec").path("topicName").asText();
            partitions.put(name, t.path("spec").path("partitions").asInt());
            Map<String, String> c = new TreeMap<>();
            for (String key : List.of("message.timestamp.type", "cleanup.policy", "retention.ms")) {
                if (t.path("spec").path("config").has(key)) {
                    c.put(key, t.path("spec").path("config").path(key).asText());
                }
            }
            configs.put(name, c);
        }

        Map<String, Integer> expectedPartitions = new TreeMap<>();
        Map<String, Map<String, String>> expectedConfigs = new TreeMap<>();
        for (Topics.Spec s : TOPICS.specs()) {
            expectedPartitions.put(s.name(), s.partitions());
            expectedConfigs.put(s.name(), s.configs());
        }
        assertThat(described(partitions, configs)).isEqualTo(described(expectedPartitions, expectedConfigs));
        assertThat(configs.get(TOPICS.rules())).containsEntry("cleanup.policy", "compact");
        assertThat(configs.get(TOPICS.ruleFeedback())).containsEntry("cleanup.policy", "compact");
    }

    @Test
    void kafkaUsersHaveExactlyTheTopicAccessTheEnginesTopicsName() throws IOException {
        Map<String, Set<String>> granted = new TreeMap<>();
        for (JsonNode u : documents("kafka-users.yaml", "KafkaUser")) {
            Set<String> acls = new TreeSet<>();
            for (JsonNode acl : u.path("spec").path("authorization").path("acls")) {
                if (acl.path("resource").path("type").asText().equals("topic")) {
                    assertThat(acl.path("resource").path("patternType").asText()).isEqualTo("literal");
                    acl.path("operations").forEach(op -> acls.add(acl.path("resource").path("name").asText() + " " + op.asText()));
                }
            }
            granted.put(u.path("metadata").path("name").asText(), acls);
        }

        Map<String, Set<String>> expected = new TreeMap<>();
        for (String user : granted.keySet()) {
            expected.put(user, new TreeSet<>());
        }
        for (Topics.Spec s : TOPICS.specs()) {
            for (String reader : s.readers()) {
                expected.computeIfAbsent(reader, u -> new TreeSet<>()).addAll(List.of(s.name() + " Read", s.name() + " Describe"));
            }
            for (String writer : s.writers()) {
                expected.computeIfAbsent(writer, u -> new TreeSet<>()).addAll(List.of(s.name() + " Write", s.name() + " Describe"));
            }
        }
        assertThat(granted).isEqualTo(expected);
        assertThat(granted.get(Topics.provinceUser("320000")))
                .as("a province writes only its own acknowledgements")
                .filteredOn(a -> a.endsWith(" Write")).containsExactly(TOPICS.acks("320000") + " Write");
    }

    @Test
    void theFlinkDeploymentUsesTheTopicPrefixAndGroupTheManifestsAssume() throws IOException {
        List<String> args = new ArrayList<>();
        documents("flink-deployment.yaml", "FlinkDeployment").get(0).path("spec").path("job").path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).contains(EngineOptions.TOPIC_PREFIX.key() + "=" + EngineOptions.TOPIC_PREFIX.defaultValue(),
                EngineOptions.KAFKA_GROUP.key() + "=" + EngineOptions.KAFKA_GROUP.defaultValue());
    }

    @Test
    void theEnginesUserMayUseTheTransactionalIdsOfEverySinkAndItsConsumerGroup() throws IOException {
        JsonNode engine = documents("kafka-users.yaml", "KafkaUser").stream()
                .filter(u -> u.path("metadata").path("name").asText().equals(Topics.ENGINE)).findFirst().orElseThrow();
        List<String> transactionalPrefixes = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        for (JsonNode acl : engine.path("spec").path("authorization").path("acls")) {
            String type = acl.path("resource").path("type").asText();
            if (type.equals("transactionalId") && acl.path("resource").path("patternType").asText().equals("prefix")) {
                transactionalPrefixes.add(acl.path("resource").path("name").asText());
            } else if (type.equals("group")) {
                groups.add(acl.path("resource").path("name").asText());
            }
        }
        assertThat(KafkaIO.transactionalIdPrefixes(new Configuration()))
                .allSatisfy(p -> assertThat(transactionalPrefixes).anyMatch(p::startsWith));
        assertThat(groups).containsExactly(EngineOptions.KAFKA_GROUP.defaultValue());
    }
}
