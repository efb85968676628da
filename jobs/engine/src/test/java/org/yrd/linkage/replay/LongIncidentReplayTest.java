package org.yrd.linkage.replay;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.FinalAlerts;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.testing.Events.DAY;
import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;

/**
 * QA's long incident, replayed on a MiniCluster (state on the heap, as replay keeps it for an input
 * this size): one gas sensor breaching every 10 s for 30 days of event time keeps its INC-CASCADE
 * incident open all along (rules-v1.md); three related calls in its last 10 minutes make it fire.
 * The replay completes, and every alert record, the
 * escalations of the incident included, lists the anchor and the 199 latest events, counts all
 * 259,203, and stays far below what a Kafka topic accepts.
 *
 * <p>Tagged "long" (about a minute on two cores with the state in RocksDB, some 15 s on the heap):
 * {@code .ci/long-tests} runs it, {@code mvn verify} does not. BoundedIncidentStateTest measures the same incident's state in an operator harness in seconds.
 */
@Tag("long")
class LongIncidentReplayTest {

    private static final long EVERY = 10_000;
    private static final int READINGS = 30 * 24 * 360;

    @Test
    void sensorBreachingEveryTenSecondsForThirtyDaysReplaysToSmallRecordsThatCountEveryEvent(@TempDir Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        try (BufferedWriter w = Files.newBufferedWriter(in.resolve("sensor-readings.jsonl"), StandardCharsets.UTF_8)) {
            for (int i = 0; i < READINGS; i++) {
                w.write(String.format(Locale.ROOT, "{\"id\":\"s-%07d\",\"sensorId\":\"GAS-1\",\"kind\":\"GAS\",\"value\":30,\"unit\":\"%%LEL\","
                        + "\"ts\":%d,\"lat\":31.30,\"lon\":121.00,\"cityCode\":\"320583\"}%n", i, T0 + i * EVERY));
            }
        }
        long nearEnd = T0 + 30 * DAY - 10 * MINUTE;
        Files.writeString(in.resolve("emergency-calls.jsonl"), String.format(Locale.ROOT,
                "{\"id\":\"c1\",\"ts\":%d,\"lat\":31.31,\"lon\":121.00,\"category\":\"FIRE\",\"cityCode\":\"320583\"}%n"
                        + "{\"id\":\"c2\",\"ts\":%d,\"lat\":31.30,\"lon\":121.05,\"category\":\"GAS_LEAK\",\"cityCode\":\"320583\"}%n"
                        + "{\"id\":\"c3\",\"ts\":%d,\"lat\":31.30,\"lon\":121.10,\"category\":\"EXPLOSION\",\"cityCode\":\"310114\"}%n",
                nearEnd, nearEnd + MINUTE, nearEnd + 2 * MINUTE));

        Path out = tmp.resolve("out");
        Replay.run(Replay.inputs(in), out, RulePack.defaults(), Replay.configuration(1, new Configuration()));

        List<String> lines = Files.readAllLines(out.resolve(Replay.ALERTS_FILE));
        assertThat(lines).isNotEmpty();
        int largest = lines.stream().mapToInt(l -> l.getBytes(StandardCharsets.UTF_8).length).max().orElseThrow();
        System.out.printf(Locale.ROOT, "30-day incident: %,d alert records, the largest %,d bytes%n", lines.size(), largest);
        assertThat(largest).isLessThan(100_000);
        assertThat(Files.readAllLines(out.resolve(Replay.DEAD_LETTERS_FILE))).isEmpty();

        List<JsonNode> incident = new ArrayList<>();
        for (JsonNode r : FinalAlerts.lines(out.resolve(Replay.ALERTS_FILE))) {
            assertThat(r.get("evidence").size()).isLessThanOrEqualTo(AlertRevision.MAX_EVIDENCE);
            assertThat(r.get("evidenceCount").asInt()).isGreaterThan(AlertRevision.MAX_EVIDENCE);
            if (r.get("alertId").asText().equals("INC-CASCADE:s-0000000")) {
                incident.add(r);
            }
        }
        JsonNode last = incident.get(incident.size() - 1);
        // every reading after the third call is an UPDATE; the last one counts every reading and call, and lists
        // the anchor and the latest 199: the calls and the readings of the last 196 x 10 s
        assertThat(last.get("evidenceCount").asInt()).isEqualTo(READINGS + 3);
        assertThat(last.get("provinces")).extracting(JsonNode::asText).containsExactly("310000", "320000");
        assertThat(last.get("severity").asText()).isEqualTo("CRITICAL");
        List<String> listed = new ArrayList<>();
        last.get("evidence").forEach(e -> listed.add(e.get("id").asText()));
        assertThat(listed).hasSize(AlertRevision.MAX_EVIDENCE).contains("s-0000000", "c1", "c2", "c3",
                String.format("s-%07d", READINGS - 1), String.format("s-%07d", READINGS - 196)).doesNotContain(String.format("s-%07d", READINGS - 197));
        assertThat(FinalAlerts.ofAlertsFile(out.resolve(Replay.ALERTS_FILE))).containsKeys(
                "INC-CASCADE:s-0000000", "ESC-ACK:INC-CASCADE:s-0000000:310000", "ESC-ACK:INC-CASCADE:s-0000000:320000");
    }
}
