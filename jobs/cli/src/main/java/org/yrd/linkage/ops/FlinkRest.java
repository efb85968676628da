package org.yrd.linkage.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yrd.linkage.runtime.EngineMetrics;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Reads a running job and the engine's metrics from Flink's REST API (a MiniCluster's or a cluster's). */
public final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NAMES = Set.of(EngineMetrics.EVENTS_IN, EngineMetrics.EVENTS_FILTERED, EngineMetrics.REPEATED,
            EngineMetrics.DEAD_LETTERS, EngineMetrics.ALERT_RECORDS, EngineMetrics.OPEN_CHAINS, EngineMetrics.AWAITING_ACK,
            EngineMetrics.ESCALATIONS, EngineMetrics.CACHE_HIT_RATE, EngineMetrics.WATERMARK_LAG);
    private static final Set<String> GROUP_KEYS = Set.of(EngineMetrics.STREAM, EngineMetrics.REASON, EngineMetrics.RULE,
            EngineMetrics.MSG_TYPE, EngineMetrics.RECIPIENT, EngineMetrics.PROVINCE);

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRest(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    /** The jobs the cluster knows, newest first. */
    public List<JsonNode> jobs() throws IOException, InterruptedException {
        List<JsonNode> jobs = new ArrayList<>();
        get("/jobs/overview").path("jobs").forEach(jobs::add);
        jobs.sort((a, b) -> Long.compare(b.path("start-time").asLong(), a.path("start-time").asLong()));
        return jobs;
    }

    /**
     * The engine's metrics of a job, summed over subtasks and over operators that report the same
     * metric with the same groups: a key such as {@code deadLetters stream=SENSOR reason=SCHEMA}.
     */
    public Map<String, Double> engineMetrics(String jobId) throws IOException, InterruptedException {
        Map<String, Double> sums = new TreeMap<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            String vertex = "/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/subtasks/metrics";
            List<String> ids = new ArrayList<>();
            for (JsonNode m : get(vertex)) {
                String id = m.path("id").asText();
                if (NAMES.contains(id.substring(id.lastIndexOf('.') + 1))) {
                    ids.add(id);
                }
            }
            for (int i = 0; i < ids.size(); i += 40) {
                List<String> batch = ids.subList(i, Math.min(ids.size(), i + 40));
                String query = URLEncoder.encode(String.join(",", batch), StandardCharsets.UTF_8);
                for (JsonNode m : get(vertex + "?agg=sum&get=" + query)) {
                    sums.merge(key(m.path("id").asText()), m.path("sum").asDouble(), Double::sum);
                }
            }
        }
        return sums;
    }

    /** The rule pack in force: its id and version, and since when (epoch ms). */
    public record RulePackInForce(String id, String version, long since) {}

    /** The rule pack in force in a job, from the gauges of its rule-update step; empty if no vertex has them. */
    public Optional<RulePackInForce> rulePack(String jobId) throws IOException, InterruptedException {
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            String vertex = "/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/metrics";
            Map<String, String> ids = new HashMap<>();
            for (JsonNode m : get(vertex)) {
                String id = m.path("id").asText();
                String name = id.substring(id.lastIndexOf('.') + 1);
                if (List.of(EngineMetrics.RULE_PACK_ID, EngineMetrics.RULE_PACK_VERSION, EngineMetrics.RULE_PACK_SINCE).contains(name)) {
                    ids.put(id, name);
                }
            }
            if (ids.size() == 3) {
                Map<String, String> values = new HashMap<>();
                for (JsonNode m : get(vertex + "?get=" + URLEncoder.encode(String.join(",", ids.keySet()), StandardCharsets.UTF_8))) {
                    values.put(ids.get(m.path("id").asText()), m.path("value").asText());
                }
                return Optional.of(new RulePackInForce(values.get(EngineMetrics.RULE_PACK_ID), values.get(EngineMetrics.RULE_PACK_VERSION),
                        Long.parseLong(values.get(EngineMetrics.RULE_PACK_SINCE))));
            }
        }
        return Optional.empty();
    }

    /** A job's most recent failure: when, in which task, and its innermost cause in one line. */
    public record Failure(long at, String task, String cause) {}

    /** The most recent failure of a job (Flink's exception history), if it has had one. */
    public Optional<Failure> lastFailure(String jobId) throws IOException, InterruptedException {
        JsonNode entries = get("/jobs/" + jobId + "/exceptions?maxExceptions=1").path("exceptionHistory").path("entries");
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        JsonNode e = entries.get(0);
        String task = e.path("taskName").isTextual() ? e.path("taskName").asText() : "the job";
        return Optional.of(new Failure(e.path("timestamp").asLong(), task, innermostCause(e.path("stacktrace").asText())));
    }

    /** How often the job has restarted. */
    public long restarts(String jobId) throws IOException, InterruptedException {
        JsonNode m = get("/jobs/" + jobId + "/metrics?get=numRestarts");
        return m.isEmpty() ? 0 : m.get(0).path("value").asLong();
    }

    /**
     * The last {@code Caused by:} of a Java stack trace (or its first line), with the exception's
     * simple class name: {@code TimeoutException: Topic yrd.rule-feedback not present in metadata after 60000 ms.}
     */
    static String innermostCause(String stacktrace) {
        String cause = stacktrace.lines().findFirst().orElse("");
        for (String line : stacktrace.lines().toList()) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length());
            }
        }
        int colon = cause.indexOf(": ");
        String type = colon < 0 ? cause : cause.substring(0, colon);
        return type.substring(type.lastIndexOf('.') + 1) + (colon < 0 ? "" : cause.substring(colon));
    }

    /** {@code operator.k1.v1.k2.v2.name} to {@code name k1=v1 k2=v2}. */
    static String key(String metricId) {
        String[] parts = metricId.split("\\.");
        StringBuilder labels = new StringBuilder();
        int i = parts.length - 3;
        List<String> pairs = new ArrayList<>();
        while (i >= 0 && GROUP_KEYS.contains(parts[i])) {
            pairs.add(0, parts[i] + "=" + parts[i + 1]);
            i -= 2;
        }
        pairs.forEach(p -> labels.append(' ').append(p));
        return parts[parts.length - 1] + labels;
    }
}
