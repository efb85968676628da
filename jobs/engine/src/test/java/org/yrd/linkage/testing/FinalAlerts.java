package org.yrd.linkage.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reduces alert records (every revision, every recipient) to the final state of each alert id. */
public final class FinalAlerts {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FinalAlerts() {}

    public static Map<String, FinalAlert> of(List<AlertRevision> revisions) {
        Map<String, AlertRevision> last = new TreeMap<>();
        Map<String, TreeSet<String>> recipients = new TreeMap<>();
        for (AlertRevision r : revisions) {
            recipients.computeIfAbsent(r.alertId(), k -> new TreeSet<>()).addAll(Arrays.asList(r.recipients()));
            AlertRevision prev = last.get(r.alertId());
            if (prev == null || r.revision() >= prev.revision()) {
                last.put(r.alertId(), r);
            }
        }
        Map<String, FinalAlert> out = new TreeMap<>();
        for (AlertRevision r : last.values()) {
            List<String> evidence = new ArrayList<>();
            for (Evidence e : r.evidence()) {
                evidence.add(e.stream().name() + ":" + e.id());
            }
            evidence.sort(null);
            out.put(r.alertId(), new FinalAlert(r.alertId(), r.ruleId(), r.kind().name(), r.severity().name(),
                    List.copyOf(recipients.get(r.alertId())), List.of(r.provinces()),
                    r.msgType().name().equals("CANCEL"), List.of(r.references()), evidence));
        }
        return out;
    }

    /** From an alerts.jsonl written by replay. */
    public static Map<String, FinalAlert> ofAlertsFile(Path alertsJsonl) {
        Map<String, JsonNode> last = new TreeMap<>();
        Map<String, TreeSet<String>> recipients = new TreeMap<>();
        for (JsonNode r : lines(alertsJsonl)) {
            String id = r.get("alertId").asText();
            recipients.computeIfAbsent(id, k -> new TreeSet<>()).add(r.get("recipient").asText());
            JsonNode prev = last.get(id);
            if (prev == null || r.get("revision").asInt() >= prev.get("revision").asInt()) {
                last.put(id, r);
            }
        }
        Map<String, FinalAlert> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : last.entrySet()) {
            JsonNode r = e.getValue();
            out.put(e.getKey(), finalAlert(r, List.copyOf(recipients.get(e.getKey())), "CANCEL".equals(r.get("msgType").asText())));
        }
        return out;
    }

    /** From an expected-final-alerts.jsonl. */
    public static Map<String, FinalAlert> ofExpectedFile(Path expectedJsonl) {
        Map<String, FinalAlert> out = new TreeMap<>();
        for (JsonNode r : lines(expectedJsonl)) {
            out.put(r.get("alertId").asText(), finalAlert(r, strings(r.get("recipients")), r.get("cancelled").asBoolean()));
        }
        return out;
    }

    private static FinalAlert finalAlert(JsonNode r, List<String> recipients, boolean cancelled) {
        List<String> evidence = new ArrayList<>();
        for (JsonNode e : r.get("evidence")) {
            evidence.add(e.get("stream").asText() + ":" + e.get("id").asText());
        }
        evidence.sort(null);
        return new FinalAlert(r.get("alertId").asText(), r.get("ruleId").asText(), r.get("kind").asText(),
                r.get("severity").asText(), recipients, strings(r.get("provinces")), cancelled,
                r.has("references") ? strings(r.get("references")) : List.of(), evidence);
    }

    private static List<String> strings(JsonNode array) {
        List<String> s = new ArrayList<>();
        array.forEach(n -> s.add(n.asText()));
        return s;
    }

    public static List<JsonNode> lines(Path jsonl) {
        try {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : Files.readAllLines(jsonl)) {
                if (!line.isBlank()) {
                    nodes.add(JSON.readTree(line));
                }
            }
            return nodes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
