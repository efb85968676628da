package org.yrd.linkage.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.testing.KafkaBroker;
import org.yrd.linkage.testing.LiveJobs;
import org.yrd.linkage.testing.PatternCases;
import org.yrd.linkage.testing.PatternCases.Line;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The analysts' patterns in live mode on a real Kafka broker and a Flink MiniCluster at
 * parallelism 2: the worked patterns give exactly their cases' alerts with records arriving out
 * of order, and a pattern published on the rules topic starts alerting without a restart while
 * an open INC-CASCADE incident completes; removing it stops it; a broken one is dead-lettered.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PatternLiveTest {

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

    private static JobClient startJob(String prefix, RulePack pack, boolean clockAdvance) throws Exception {
        // without the wall clock, time is the records' own only: a stream waiting for its turn is not idle
        return LiveJobs.start(kafka, prefix, pack, Map.of(
                EngineOptions.CLOCK_ADVANCE.key(), Boolean.toString(clockAdvance),
                EngineOptions.IDLE_WHEN_QUIET.key(), Boolean.toString(clockAdvance)));
    }

    /**
     * Produces records, each stream's in the order given and to one partition, the streams one
     * after the other in the order of {@code streams}.
     */
    private static void produce(Topics topics, List<Line> lines, StreamKind... streams) {
        for (StreamKind s : streams) {
            List<String> values = lines.stream().filter(l -> l.stream() == s).map(Line::json).toList();
            if (!values.isEmpty()) {
                kafka.produce(topics.input(s), "cases", values);
            }
        }
    }

    /**
     * Records that match nothing, one a minute from {@code from}, for each stream. Without the
     * wall clock a stream's clock takes a record stamped far ahead of it (the cases are days
     * apart) only once four later records confirm it; these confirm the cases' last records,
     * which the clock would otherwise hold for as long as the stream stays quiet.
     */
    private static List<Line> quietTail(long from) {
        List<Line> tail = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // StreamClock.DECIDING
            long ts = from + i * 60_000L;
            tail.add(new Line(StreamKind.SENSOR, "{\"id\":\"tail-s" + i + "\",\"sensorId\":\"GAS-TAIL\",\"kind\":\"GAS\","
                    + "\"value\":1,\"ts\":" + ts + ",\"lat\":30.27,\"lon\":120.15,\"cityCode\":\"330100\"}"));
            tail.add(new Line(StreamKind.CALL, "{\"id\":\"tail-c" + i + "\",\"ts\":" + ts
                    + ",\"lat\":30.27,\"lon\":120.15,\"category\":\"OTHER\",\"cityCode\":\"330100\"}"));
            tail.add(new Line(StreamKind.FRAUD, "{\"id\":\"tail-f" + i + "\",\"ts\":" + ts + ",\"cityCode\":\"330100\","
                    + "\"fraudType\":\"OTHER\",\"amountCny\":100,\"identifiers\":[{\"type\":\"PHONE\",\"value\":\"1370000000" + i + "\"}]}"));
        }
        return tail;
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

    private static List<String> alertTopics(Topics topics) {
        return Topics.RECIPIENTS.stream().map(topics::alerts).toList();
    }

    /** Per alert id of the given prefix and recipient, the record with the highest revision, as a consumer keeps it. */
    private static Map<String, JsonNode> latest(List<ConsumerRecord<String, String>> records, String prefix) {
        Map<String, JsonNode> latest = new TreeMap<>();
        for (JsonNode n : values(records)) {
            String id = n.get("alertId").asText();
            if (id.startsWith(prefix)) {
                latest.merge(id + " " + n.get("recipient").asText(), n,
                        (a, b) -> a.get("revision").asInt() >= b.get("revision").asInt() ? a : b);
            }
        }
        return latest;
    }

    private static Predicate<List<ConsumerRecord<String, String>>> seen(String... alertIds) {
        return r -> values(r).stream().map(n -> n.get("alertId").asText()).distinct().toList().containsAll(List.of(alertIds));
    }

    private static List<String> evidence(JsonNode alert) {
        List<String> ids = new ArrayList<>();
        alert.get("evidence").forEach(e -> ids.add(e.get("stream").asText() + ":" + e.get("id").asText()));
        Collections.sort(ids);
        return ids;
    }

    @Test
    void examplePatternsGiveTheirCasesAlertsOnTheBrokerWithRecordsOutOfOrder() throws Exception {
        String prefix = "p1.";
        Topics topics = new Topics(prefix);
        // the cases span days: watermarks that followed the wall clock through the pauses between
        // topics would make their older records LATE, so time is the records' own here
        JobClient job = startJob(prefix, PatternCases.examplePack(), false);
        try {
            // the cases, moved so that their last record is a few minutes old
            List<Line> cases = PatternCases.all();
            long last = cases.stream().mapToLong(Line::ts).max().orElseThrow();
            long shift = System.currentTimeMillis() - 5 * 60_000 - last;
            List<Line> lines = new ArrayList<>(cases.stream().map(l -> l.shifted(shift)).toList());
            // within a stream, each record no more than the 5 min bound behind the latest: the wave's first two reports swapped
            int w1 = indexOf(lines, "\"w-1\"");
            Collections.swap(lines, w1, w1 + 1);
            lines.addAll(quietTail(last + shift + 60_000));
            // across streams, calls and reports before the readings whose breaches they follow
            produce(topics, lines, StreamKind.CALL, StreamKind.FRAUD, StreamKind.SENSOR);

            kafka.consumeUntil(alertTopics(topics), Duration.ofSeconds(90),
                    seen("PAT-FLOOD-RESCUE:f-s1", "PAT-INVESTMENT-WAVE:w-1", "PAT-IMPERSONATION-MISSING:m-f1"));
            // a correction would come within moments: read everything once more
            Thread.sleep(3000);
            Map<String, JsonNode> patterns = latest(kafka.readAll(alertTopics(topics), Duration.ofSeconds(20)), "PAT-");
            assertThat(patterns.keySet()).containsExactly(
                    "PAT-FLOOD-RESCUE:f-s1 310000", "PAT-FLOOD-RESCUE:f-s1 320000",
                    "PAT-IMPERSONATION-MISSING:m-f1 320000",
                    "PAT-INVESTMENT-WAVE:w-1 310000", "PAT-INVESTMENT-WAVE:w-1 320000", "PAT-INVESTMENT-WAVE:w-1 330000");
            assertThat(patterns.values()).allSatisfy(a -> assertThat(a.get("msgType").asText()).isNotEqualTo("CANCEL"));
            assertThat(evidence(patterns.get("PAT-FLOOD-RESCUE:f-s1 310000")))
                    .containsExactly("CALL:f-c1", "CALL:f-c2", "CALL:f-c3", "SENSOR:f-s1");
            assertThat(evidence(patterns.get("PAT-INVESTMENT-WAVE:w-1 330000")))
                    .containsExactly("FRAUD:w-1", "FRAUD:w-2", "FRAUD:w-3", "FRAUD:w-4", "FRAUD:w-5");
            assertThat(evidence(patterns.get("PAT-IMPERSONATION-MISSING:m-f1 320000"))).containsExactly("CALL:m-c1", "FRAUD:m-f1");
        } finally {
            stop(job);
        }
    }

    private static int indexOf(List<Line> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).json().contains(text)) {
                return i;
            }
        }
        throw new IllegalArgumentException(text);
    }

    /**
     * A case's records with its minutes turned into seconds from {@code start}, so that it fits
     * well inside the out-of-orderness bound of live mode's wall-clock watermarks.
     */
    private static List<Line> compressed(List<Line> lines, long start) {
        long first = lines.stream().mapToLong(Line::ts).min().orElseThrow();
        return lines.stream().map(l -> l.shifted(start + (l.ts() - first) / 60 - l.ts())).toList();
    }

    private static String gas(String id, long ts) {
        return "{\"id\":\"" + id + "\",\"sensorId\":\"GAS-" + id + "\",\"kind\":\"GAS\",\"value\":40,\"ts\":" + ts
                + ",\"lat\":31.30,\"lon\":121.0,\"cityCode\":\"320583\"}";
    }

    private static String fire(String id, long ts, double lon, String city) {
        return "{\"id\":\"" + id + "\",\"ts\":" + ts + ",\"lat\":31.30,\"lon\":" + lon + ",\"category\":\"FIRE\",\"cityCode\":\"" + city + "\"}";
    }

    @Test
    void patternPublishedLiveAlertsWithoutRestartWhileAnOpenCascadeCompletesAndRemovingItStopsIt() throws Exception {
        String prefix = "p2.";
        Topics topics = new Topics(prefix);
        JobClient job = startJob(prefix, RulePack.defaults(), true);
        try {
            long now = System.currentTimeMillis();
            // an INC-CASCADE incident opens under the default pack: a breach and two of the three calls it needs
            kafka.produce(topics.input(StreamKind.SENSOR), List.of(gas("a1", now)));
            kafka.produce(topics.input(StreamKind.CALL), List.of(fire("a-c1", now + 1000, 121.05, "320583"),
                    fire("a-c2", now + 2000, 121.10, "310114")));

            String broken = Files.readString(PatternCases.examplePackFile()).replace("key: grid(10km)", "key: grid(10 km)")
                    .replace("version: \"1\"", "version: \"broken\"");
            // the rules topic is compacted: packs are keyed by their id
            kafka.produce(topics.rules(), "broken", broken);
            kafka.produce(topics.rules(), "yrd-patterns", Files.readString(PatternCases.examplePackFile()));
            List<ConsumerRecord<String, String>> rejected = kafka.consumeUntil(List.of(topics.deadLetters()), Duration.ofSeconds(60),
                    r -> r.stream().anyMatch(x -> x.value().contains("\"stream\":\"RULE\"")));
            assertThat(values(rejected)).filteredOn(n -> n.get("stream").asText().equals("RULE")).singleElement()
                    .satisfies(n -> assertThat(n.get("detail").asText())
                            .contains("patterns.PAT-FLOOD-RESCUE.key: '10 km' is not a distance; write 10km"));
            Thread.sleep(3000);

            kafka.produce(topics.input(StreamKind.CALL), List.of(fire("a-c3", now + 3000, 121.12, "310114")));
            produce(topics, compressed(PatternCases.floodRescue().subList(0, 4), System.currentTimeMillis()),
                    StreamKind.CALL, StreamKind.SENSOR);

            List<ConsumerRecord<String, String>> got = kafka.consumeUntil(alertTopics(topics), Duration.ofSeconds(90),
                    seen("INC-CASCADE:a1", "PAT-FLOOD-RESCUE:f-s1"));
            assertThat(values(got)).extracting(n -> n.get("alertId").asText() + " " + n.get("msgType").asText())
                    .contains("INC-CASCADE:a1 ALERT", "PAT-FLOOD-RESCUE:f-s1 ALERT");

            // the pack without PAT-FLOOD-RESCUE: a second flood raises nothing, the wave pattern still alerts
            RulePack example = PatternCases.examplePack();
            RulePack without = new RulePack(example.id(), "2", example.hazards(), example.cascade(), example.spread(),
                    example.cluster(), example.link(), example.burst(), example.escalation(),
                    example.patterns().stream().filter(p -> !p.id().equals(PatternCases.FLOOD_RESCUE)).toList());
            kafka.produce(topics.rules(), without.id(), RulePackFile.toYaml(without));
            Thread.sleep(3000);
            List<Line> again = PatternCases.floodRescue().subList(0, 4).stream()
                    .map(l -> new Line(l.stream(), l.json().replace("\"f-", "\"g-"))).toList();
            produce(topics, compressed(again, System.currentTimeMillis()), StreamKind.SENSOR, StreamKind.CALL);
            produce(topics, compressed(PatternCases.investmentWave().subList(0, 5), System.currentTimeMillis()), StreamKind.FRAUD);
            kafka.consumeUntil(alertTopics(topics), Duration.ofSeconds(90), seen("PAT-INVESTMENT-WAVE:w-1"));
            Thread.sleep(3000);
            List<ConsumerRecord<String, String>> after = kafka.readAll(alertTopics(topics), Duration.ofSeconds(20));
            assertThat(values(after)).extracting(n -> n.get("alertId").asText())
                    .contains("PAT-INVESTMENT-WAVE:w-1").doesNotContain("PAT-FLOOD-RESCUE:g-s1");
            assertThat(values(after)).filteredOn(n -> n.get("alertId").asText().equals("PAT-INVESTMENT-WAVE:w-1"))
                    .allSatisfy(n -> assertThat(n.get("ruleVersion").asText()).isEqualTo("2"));
        } finally {
            stop(job);
        }
    }

    /** Cancels the job; when it has already failed, says why. */
    private static void stop(JobClient job) throws Exception {
        java.util.concurrent.CompletableFuture<?> result = job.getJobExecutionResult();
        if (result.isDone()) {
            result.get();
        } else {
            job.cancel().get();
        }
    }
}
