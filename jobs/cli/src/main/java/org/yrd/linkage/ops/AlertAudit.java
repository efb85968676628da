package org.yrd.linkage.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a consumer of the alert topics holds, and whether the stream kept its promise: the same
 * (alert id, revision, recipient) always carries the same content, whatever was re-delivered.
 */
public final class AlertAudit {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> contentByRevision = new TreeMap<>();
    private final List<String> conflicts = new ArrayList<>();
    private final Map<String, ObjectNode> latest = new TreeMap<>();
    private final Map<String, TreeSet<String>> recipients = new TreeMap<>();
    private long records;

    /** Takes one alert record as read from a topic. */
    public void add(String value) {
        ObjectNode r;
        try {
            r = (ObjectNode) JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException("not an alert record: " + value, e);
        }
        records++;
        String alertId = r.path("alertId").asText();
        int revision = r.path("revision").asInt();
        String recipient = r.path("recipient").asText();
        ObjectNode content = r.deepCopy();
        content.remove("emittedAt");
        String key = alertId + " #" + revision + " -> " + recipient;
        String before = contentByRevision.putIfAbsent(key, content.toString());
        if (before != null && !before.equals(content.toString())) {
            conflicts.add(key);
        }
        recipients.computeIfAbsent(alertId, k -> new TreeSet<>()).add(recipient);
        ObjectNode prev = latest.get(alertId);
        if (prev == null || revision >= prev.path("revision").asInt()) {
            latest.put(alertId, r);
        }
    }

    public long records() {
        return records;
    }

    /** (alert id, revision, recipient) that arrived with different content. */
    public List<String> conflicts() {
        return conflicts;
    }

    /** The last revision of each alert id. */
    public Map<String, ObjectNode> latest() {
        return latest;
    }

    /** The final state of each alert id, in the form of the worked example's expected-final-alerts.jsonl. */
    public List<String> finalStates() {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, ObjectNode> e : latest.entrySet()) {
            JsonNode r = e.getValue();
            ObjectNode o = JSON.createObjectNode();
            o.put("alertId", e.getKey());
            o.set("ruleId", r.get("ruleId"));
            o.set("kind", r.get("kind"));
            o.set("severity", r.get("severity"));
            o.set("recipients", JSON.valueToTree(recipients.get(e.getKey())));
            o.set("provinces", r.get("provinces"));
            o.put("cancelled", "CANCEL".equals(r.path("msgType").asText()));
            o.set("references", r.path("references"));
            o.set("evidence", r.get("evidence"));
            o.put("revision", r.path("revision").asInt());
            o.set("msgType", r.get("msgType"));
            lines.add(o.toString());
        }
        return lines;
    }
}
