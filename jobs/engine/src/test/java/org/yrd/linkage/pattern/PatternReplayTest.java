package org.yrd.linkage.pattern;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yrd.linkage.replay.Replay;
import org.yrd.linkage.testing.FinalAlert;
import org.yrd.linkage.testing.FinalAlerts;
import org.yrd.linkage.testing.PatternCases;
import org.yrd.linkage.testing.Project;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worked patterns in replay, on a Flink MiniCluster beside the six rules:
 * exactly the alerts their cases state at parallelism 1 and 2, with the whole lifecycle of any
 * rule (an escalation of an alert nobody acknowledged, CAP documents valid against CAP 1.2).
 */
class PatternReplayTest {

    @TempDir
    Path tmp;

    private Path replay(int parallelism, boolean cap) throws Exception {
        Path in = tmp.resolve("in");
        if (!Files.isDirectory(in)) {
            PatternCases.writeReplayInput(PatternCases.all(), in);
        }
        Path out = tmp.resolve("out-p" + parallelism);
        Replay.run(Replay.inputs(in), out, PatternCases.examplePack(), Replay.configuration(parallelism, new Configuration()), cap);
        return out;
    }

    private static Map<String, FinalAlert> ofRule(Map<String, FinalAlert> alerts, String prefix) {
        Map<String, FinalAlert> some = new TreeMap<>();
        alerts.forEach((id, a) -> {
            if (id.startsWith(prefix)) {
                some.put(id, a);
            }
        });
        return some;
    }

    @Test
    void examplePatternsGiveExactlyTheirCasesAlertsAtParallelismOneAndTwo() throws Exception {
        Map<String, FinalAlert> p1 = FinalAlerts.ofAlertsFile(replay(1, false).resolve(Replay.ALERTS_FILE));
        Map<String, FinalAlert> p2 = FinalAlerts.ofAlertsFile(replay(2, true).resolve(Replay.ALERTS_FILE));

        assertThat(p2).isEqualTo(p1);
        Map<String, FinalAlert> patterns = ofRule(p1, "PAT-");
        assertThat(patterns).containsOnlyKeys(
                "PAT-FLOOD-RESCUE:f-s1", "PAT-INVESTMENT-WAVE:w-1", "PAT-IMPERSONATION-MISSING:m-f1");
        FinalAlert flood = patterns.get("PAT-FLOOD-RESCUE:f-s1");
        assertThat(flood.evidence()).containsExactly("CALL:f-c1", "CALL:f-c2", "CALL:f-c3", "SENSOR:f-s1");
        assertThat(flood.recipients()).containsExactly("310000", "320000");
        assertThat(flood.severity()).isEqualTo("CRITICAL");
        assertThat(patterns.get("PAT-INVESTMENT-WAVE:w-1").evidence())
                .containsExactly("FRAUD:w-1", "FRAUD:w-2", "FRAUD:w-3", "FRAUD:w-4", "FRAUD:w-5");
        assertThat(patterns.get("PAT-INVESTMENT-WAVE:w-1").provinces()).containsExactly("310000", "320000", "330000");
        assertThat(patterns.get("PAT-IMPERSONATION-MISSING:m-f1").evidence()).containsExactly("CALL:m-c1", "FRAUD:m-f1");

        // nobody acknowledges: each province of each pattern alert is escalated, as for any rule
        assertThat(ofRule(p1, "ESC-ACK:PAT-").keySet()).containsExactlyInAnyOrder(
                "ESC-ACK:PAT-FLOOD-RESCUE:f-s1:310000", "ESC-ACK:PAT-FLOOD-RESCUE:f-s1:320000",
                "ESC-ACK:PAT-INVESTMENT-WAVE:w-1:310000", "ESC-ACK:PAT-INVESTMENT-WAVE:w-1:320000",
                "ESC-ACK:PAT-INVESTMENT-WAVE:w-1:330000", "ESC-ACK:PAT-IMPERSONATION-MISSING:m-f1:320000");

        javax.xml.validation.Validator cap = javax.xml.validation.SchemaFactory
                .newInstance(javax.xml.XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(Project.root().resolve("config/cap/CAP-v1.2.xsd").toFile()).newValidator();
        List<Path> docs;
        try (var files = Files.list(tmp.resolve("out-p2").resolve(Replay.CAP_DIR))) {
            docs = files.filter(f -> f.getFileName().toString().startsWith("PAT-")).toList();
        }
        assertThat(docs).as("one per recipient of each pattern alert").hasSize(6);
        for (Path doc : docs) {
            cap.validate(new javax.xml.transform.stream.StreamSource(doc.toFile()));
        }
    }
}
