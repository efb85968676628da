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
import java.util.List;
import java.util.Map;
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
