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
 * What a consumer of the alert topics holds, and whether the stream kept its promises: the same
 * (alert id, revision, recipient) always carries the same content, whatever was re-delivered; and
 * the last revision of every alert reached every recipient it is addressed to, so none was lost
 * on the way (a broker outage, a failover, a topic deleted and created again).
 */
public final class AlertAudit {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> contentByRevision = new TreeMap<>();
    private final List<String> conflicts = new ArrayList<>();
    private final Map<String, ObjectNode> latest = new TreeMap<>();
    private final Map<String, TreeSet<String>> recipients = new TreeMap<>();
    /** Per alert id and recipient: the highest revision that recipient received. */
    private final Map<String, Map<String, Integer>> received = new TreeMap<>();
    private long records;
    private long longestDelay = -1;
    private String longestDelayed;

    /** Takes one alert record as read from a topic. */
    public void add(String value) {
        add(value, -1);
    }

    /**
     * Takes one alert record as read from a topic, with the time the broker appended it (epoch ms,
     * -1 unknown) for the delay from detection to the topic.
     */
    public void add(String value, long appendedAt) {
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
        received.computeIfAbsent(alertId, k -> new TreeMap<>()).merge(recipient, revision, Math::max);
        // an escalation is detected at its deadline and leaves once the watermark passes it, by design later
        if (appendedAt >= 0 && !"ESCALATION".equals(r.path("kind").asText())) {
            long delay = appendedAt - r.path("detectedTs").asLong();
            if (delay > longestDelay) {
                longestDelay = delay;
                longestDelayed = key;
            }
        }
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

    /**
     * Alert ids whose last revision did not reach every recipient it is addressed to: its
     * provinces (ALERT, UPDATE), everyone who received the alert before (CANCEL), or the regional
     * centre and the province named in the id (ESC-ACK). Each entry names the recipients missing.
     */
    public List<String> incomplete() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, ObjectNode> e : latest.entrySet()) {
            JsonNode last = e.getValue();
            int revision = last.path("revision").asInt();
            TreeSet<String> addressed = new TreeSet<>();
            if ("ESCALATION".equals(last.path("kind").asText())) {
                addressed.add("YRD");
                addressed.add(e.getKey().substring(e.getKey().lastIndexOf(':') + 1));
            } else if ("CANCEL".equals(last.path("msgType").asText())) {
                addressed.addAll(recipients.get(e.getKey()));
            } else {
                last.path("provinces").forEach(p -> addressed.add(p.asText()));
            }
            Map<String, Integer> got = received.get(e.getKey());
            addressed.removeIf(recipient -> got.getOrDefault(recipient, 0) >= revision);
            if (!addressed.isEmpty()) {
                out.add(e.getKey() + " #" + revision + " never reached " + String.join(", ", addressed));
            }
        }
        return out;
    }

    /** The longest time from an alert's detection (detectedTs) to its record on the topic, in ms; -1 when unknown. */
    public long longestDelay() {
        return longestDelay;
    }

    /** Which record took {@link #longestDelay()}: alert id, revision and recipient. */
    public String longestDelayed() {
        return longestDelayed;
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
