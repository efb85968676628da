package org.yrd.linkage.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.rules.RulePack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the console knows, built from the records it reads: every alert with each revision and
 * who received it (the per-recipient alert topics, and the alerts-state topic it starts from),
 * the provinces' acknowledgements (their own topics), the rule pack in force (its SLAs) and the
 * per-rule feedback figures; and the views of it that a province or the centre may see.
 *
 * <p>Access is decided here, from where each record was read: a province sees an alert only if a
 * revision of it was addressed to that province, only the revisions addressed to it, and only its
 * own acknowledgements; the centre sees everything. Records are untrusted input: one that is not
 * an object with an alert id and a positive revision is skipped and counted, never fatal.
 * At-least-once delivery repeats revisions and acknowledgements: a revision is kept once per
 * number, an identical acknowledgement once. Thread-safe (every method holds the board's lock).
 */
final class AlertBoard {

    /** Most alerts a list view holds: the newest. */
    static final int MAX_ROWS = 500;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ESCALATION = "ESCALATION";

    /** One revision as read, without its recipient field, and every recipient it was read for. */
    private record Revision(ObjectNode record, Set<String> recipients) {}

    /** One acknowledgement as read from a province's topic. */
    private record Ack(String province, String status, long ts, String operator, String note) {}

    private static final class Tracked {
        final TreeMap<Integer, Revision> revisions = new TreeMap<>();
        /** Ids of the escalations of this alert (ESC-ACK:<id>:<province>). */
        final Set<String> escalations = new TreeSet<>();
    }

    private final Map<String, Tracked> alerts = new HashMap<>();
    private final Map<String, List<Ack>> acks = new HashMap<>();
    private final Map<String, ObjectNode> feedback = new HashMap<>();
    private final Set<String> changedAlerts = new HashSet<>();
    private boolean feedbackChanged;
    private long skipped;
    private RulePack pack;

    AlertBoard(RulePack pack) {
        this.pack = pack;
    }

    /** What changed since the last call: alert ids, and whether the feedback figures did. */
    record Changes(Set<String> alertIds, boolean feedback) {
        boolean any() {
            return feedback || !alertIds.isEmpty();
        }
    }

    synchronized Changes drain() {
        Changes c = new Changes(Set.copyOf(changedAlerts), feedbackChanged);
        changedAlerts.clear();
        feedbackChanged = false;
        return c;
    }

    /** Records that were not usable (not an alert, acknowledgement or figure), since the start. */
    synchronized long skipped() {
        return skipped;
    }

    /** A new rule pack from the rules topic: SLAs follow it. */
    synchronized void rules(RulePack pack) {
        this.pack = pack;
        changedAlerts.addAll(alerts.keySet());
    }

    // ---------------------------------------------------------------------------------------------
    // what is read

    /** A record of {@code recipient}'s alert topic; false (and counted) when it is not an alert revision. */
    synchronized boolean revision(String recipient, JsonNode record) {
        return take(record, Set.of(recipient));
    }

    /** A record of the alerts-state topic: the latest revision with all its recipients; false (and counted) when unusable. */
    synchronized boolean state(JsonNode record) {
        Set<String> recipients = new TreeSet<>();
        record.path("recipients").forEach(r -> recipients.add(r.asText()));
        recipients.retainAll(Topics.RECIPIENTS);
        return take(record, recipients);
    }

    private boolean take(JsonNode record, Set<String> recipients) {
        if (!record.isObject() || !record.path("alertId").isTextual() || !record.path("revision").canConvertToInt()
                || record.path("revision").asInt() < 1 || recipients.isEmpty()) {
            skipped++;
            return false;
        }
        String id = record.get("alertId").asText();
        int number = record.get("revision").asInt();
        Tracked t = alerts.computeIfAbsent(id, k -> new Tracked());
        Revision r = t.revisions.get(number);
        if (r == null) {
            ObjectNode copy = ((ObjectNode) record).deepCopy();
            copy.remove(List.of("recipient", "recipients"));
            r = new Revision(copy, new TreeSet<>());
            t.revisions.put(number, r);
        }
        r.recipients().addAll(recipients);
        changedAlerts.add(id);
        if (ESCALATION.equals(record.path("kind").asText())) {
            String parent = record.path("references").path(0).asText("");
            if (!parent.isEmpty()) {
                alerts.computeIfAbsent(parent, k -> new Tracked()).escalations.add(id);
                changedAlerts.add(parent);
            }
        }
        return true;
    }

    /**
     * A record of {@code topicProvince}'s acknowledgement topic. One whose {@code province} is not
     * the topic's has no effect (the engine dead-letters it as FORBIDDEN): false, and counted, like any unusable record.
     */
    synchronized boolean ack(String topicProvince, JsonNode ack) {
        if (!ack.isObject() || !ack.path("alertId").isTextual() || !topicProvince.equals(ack.path("province").asText())
                || !ack.path("ts").canConvertToLong() || !ack.path("status").isTextual()) {
            skipped++;
            return false;
        }
        String id = ack.get("alertId").asText();
        Ack a = new Ack(topicProvince, ack.get("status").asText(), ack.get("ts").asLong(),
                ack.path("operator").asText(""), ack.path("note").asText(""));
        List<Ack> list = acks.computeIfAbsent(id, k -> new ArrayList<>());
        if (!list.contains(a)) {
            list.add(a);
            list.sort(Comparator.comparingLong(Ack::ts));
            if (exists(id)) {
                changedAlerts.add(id);
            }
        }
        return true;
    }

    /** A record of the rule-feedback topic: the current figures of one rule and hour; false (and counted) when unusable. */
    synchronized boolean feedback(JsonNode record) {
        if (!record.isObject() || !record.path("ruleId").isTextual() || !record.path("hourStart").canConvertToLong()) {
            skipped++;
            return false;
        }
        feedback.put(record.get("ruleId").asText() + '|' + record.get("hourStart").asLong(), (ObjectNode) record);
        feedbackChanged = true;
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // access

    /** Whether {@code who} may see the alert: the centre any, a province one that was addressed to it. */
    synchronized boolean visible(String alertId, Principal who) {
        Tracked t = alerts.get(alertId);
        return t != null && !t.revisions.isEmpty() && (who.isCentre() || latestFor(t, who) != null);
    }

    synchronized boolean exists(String alertId) {
        Tracked t = alerts.get(alertId);
        return t != null && !t.revisions.isEmpty();
    }

    /** For an escalation, the alert it escalates (acknowledgements go there); null otherwise. */
    synchronized String escalatedAlert(String alertId) {
        Tracked t = alerts.get(alertId);
        if (t == null || t.revisions.isEmpty()) {
            return null;
        }
        ObjectNode latest = t.revisions.lastEntry().getValue().record();
        return ESCALATION.equals(latest.path("kind").asText()) ? latest.path("references").path(0).asText(null) : null;
    }

    private static ObjectNode latestFor(Tracked t, Principal who) {
        if (who.isCentre()) {
            return t.revisions.isEmpty() ? null : t.revisions.lastEntry().getValue().record();
        }
        for (Revision r : t.revisions.descendingMap().values()) {
            if (r.recipients().contains(who.code())) {
                return r.record();
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // views

    /**
     * What {@code who}'s page shows: its alerts newest first (a province: those addressed to it;
     * the centre: all, with escalations, every province's open acknowledgements and the feedback
     * figures).
     */
    synchronized ObjectNode view(Principal who, long now) {
        ObjectNode v = JSON.createObjectNode();
        v.put("now", now);
        List<String> ids = new ArrayList<>();
        for (Map.Entry<String, Tracked> e : alerts.entrySet()) {
            if (latestFor(e.getValue(), who) != null) {
                ids.add(e.getKey());
            }
        }
        ids.sort(Comparator.comparingLong((String id) -> latestFor(alerts.get(id), who).path("detectedTs").asLong())
                .reversed().thenComparing(Comparator.naturalOrder()));
        ArrayNode rows = v.putArray("alerts");
        for (String id : ids.subList(0, Math.min(ids.size(), MAX_ROWS))) {
            rows.add(row(id, who));
        }
        v.put("total", ids.size());
        if (who.isCentre()) {
            v.put("skipped", skipped);
            centre(v, ids);
        }
        return v;
    }

    /** One alert for its detail panel: the row, its revision history, evidence, acknowledgements and escalations. */
    synchronized ObjectNode detail(String alertId, Principal who) {
        Tracked t = alerts.get(alertId);
        ObjectNode latest = latestFor(t, who);
        ObjectNode d = row(alertId, who);
        for (String field : List.of("ruleVersion", "firstEventTs", "lastEventTs", "evidenceCount", "identifiers", "lossCny", "location")) {
            if (latest.has(field)) {
                d.set(field, latest.get(field));
            }
        }
        d.set("evidence", latest.path("evidence"));
        ArrayNode history = d.putArray("history");
        for (Map.Entry<Integer, Revision> e : t.revisions.entrySet()) {
            Revision r = e.getValue();
            if (who.isCentre() || r.recipients().contains(who.code())) {
                ObjectNode h = history.addObject();
                h.put("revision", e.getKey());
                for (String field : List.of("msgType", "severity", "detectedTs", "emittedAt", "evidenceCount", "summary")) {
                    h.set(field, r.record().path(field));
                }
                if (who.isCentre()) {
                    ArrayNode to = h.putArray("recipients");
                    r.recipients().forEach(to::add);
                }
            }
        }
        ArrayNode list = d.putArray("acks");
        for (Ack a : acks.getOrDefault(ackTarget(alertId, t), List.of())) {
            if (who.isCentre() || a.province().equals(who.code())) {
                list.addObject().put("province", a.province()).put("status", a.status()).put("ts", a.ts())
                        .put("operator", a.operator()).put("note", a.note());
            }
        }
        return d;
    }

    /** The list row of one alert as {@code who} sees it, with each province's acknowledgement state. */
    private ObjectNode row(String alertId, Principal who) {
        Tracked t = alerts.get(alertId);
        ObjectNode latest = latestFor(t, who);
        ObjectNode row = JSON.createObjectNode();
        row.put("alertId", alertId);
        for (String field : List.of("revision", "msgType", "kind", "ruleId", "severity", "summary", "provinces", "cities",
                "detectedTs", "emittedAt", "references")) {
            row.set(field, latest.path(field));
        }
        row.put("cancelled", "CANCEL".equals(latest.path("msgType").asText()));
        boolean escalation = ESCALATION.equals(latest.path("kind").asText());
        row.put("escalation", escalation);
        ArrayNode states = row.putArray("provinceStates");
        if (!escalation) {
            for (String province : recipientsOf(t)) {
                if (who.isCentre() || who.code().equals(province)) {
                    states.add(provinceState(alertId, t, province));
                }
            }
        }
        return row;
    }

    /**
     * Where one province stands with one alert: when it first received it and at what severity,
     * its deadline under the SLA of the pack in force (rules-v1.md ESC-ACK), its latest answer and
     * whether it was escalated.
     */
    private ObjectNode provinceState(String alertId, Tracked t, String province) {
        ObjectNode s = JSON.createObjectNode();
        s.put("province", province);
        Revision first = null;
        for (Revision r : t.revisions.values()) {
            if (r.recipients().contains(province) && (first == null
                    || r.record().path("detectedTs").asLong() < first.record().path("detectedTs").asLong())) {
                first = r;
            }
        }
        Duration sla = first == null || !pack.escalation().enabled() ? null : slaOf(first.record().path("severity").asText());
        if (sla != null) {
            s.put("deadline", first.record().path("detectedTs").asLong() + sla.toMillis());
        } else {
            s.putNull("deadline");
        }
        Ack latest = null;
        Long firstAckTs = null;
        for (Ack a : acks.getOrDefault(alertId, List.of())) {
            if (a.province().equals(province)) {
                latest = a;
                firstAckTs = firstAckTs == null ? a.ts() : Math.min(firstAckTs, a.ts());
            }
        }
        s.put("status", latest == null ? null : latest.status());
        if (latest != null) {
            s.put("statusTs", latest.ts());
            s.put("firstAckTs", firstAckTs);
        }
        s.put("escalated", t.escalations.contains("ESC-ACK:" + alertId + ":" + province));
        return s;
    }

    private Duration slaOf(String severity) {
        try {
            return pack.escalation().sla().get(Severity.valueOf(severity));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The provinces an alert was addressed to (the centre excepted), sorted. */
    private static Set<String> recipientsOf(Tracked t) {
        Set<String> all = new TreeSet<>();
        t.revisions.values().forEach(r -> all.addAll(r.recipients()));
        all.remove(Principal.CENTRE);
        return all;
    }

    /** Acknowledgements of an escalation are those of the alert it escalates. */
    private String ackTarget(String alertId, Tracked t) {
        ObjectNode latest = t.revisions.lastEntry().getValue().record();
        return ESCALATION.equals(latest.path("kind").asText()) ? latest.path("references").path(0).asText(alertId) : alertId;
    }

    /**
     * The centre's additions: escalations newest first, then per province the alerts it has not
     * answered (the nearest deadline first) and how it answered the rest, and the feedback figures.
     */
    private void centre(ObjectNode v, List<String> idsNewestFirst) {
        Principal centre = new Principal(Principal.CENTRE, "");
        ArrayNode escalations = v.putArray("escalations");
        Map<String, List<ObjectNode>> awaiting = new TreeMap<>();
        Map<String, Map<String, Integer>> answered = new TreeMap<>();
        Map<String, Integer> escalatedCount = new TreeMap<>();
        for (String p : Topics.PROVINCES) {
            awaiting.put(p, new ArrayList<>());
            answered.put(p, new TreeMap<>());
            escalatedCount.put(p, 0);
        }
        for (String id : idsNewestFirst) {
            ObjectNode row = row(id, centre);
            if (row.path("escalation").asBoolean()) {
                if (escalations.size() < MAX_ROWS) {
                    escalations.add(row);
                }
                continue;
            }
            for (JsonNode s : row.path("provinceStates")) {
                String p = s.path("province").asText();
                if (!awaiting.containsKey(p)) {
                    continue;
                }
                if (s.path("escalated").asBoolean()) {
                    escalatedCount.merge(p, 1, Integer::sum);
                }
                if (!s.path("status").isNull()) {
                    answered.get(p).merge(s.path("status").asText(), 1, Integer::sum);
                } else if (!row.path("cancelled").asBoolean()) {
                    ObjectNode open = JSON.createObjectNode();
                    open.put("alertId", id);
                    open.set("severity", row.path("severity"));
                    open.set("summary", row.path("summary"));
                    open.set("deadline", s.path("deadline"));
                    open.put("escalated", s.path("escalated").asBoolean());
                    awaiting.get(p).add(open);
                }
            }
        }
        ArrayNode provinces = v.putArray("provinces");
        for (String p : Topics.PROVINCES) {
            ObjectNode o = provinces.addObject();
            o.put("province", p);
            o.put("name", new Principal(p, "").displayName());
            o.put("escalated", escalatedCount.get(p));
            ObjectNode by = o.putObject("answered");
            answered.get(p).forEach(by::put);
            List<ObjectNode> open = awaiting.get(p);
            open.sort(Comparator.comparingLong((ObjectNode n) -> n.path("deadline").isNull() ? Long.MAX_VALUE : n.path("deadline").asLong()));
            ArrayNode list = o.putArray("awaiting");
            open.forEach(list::add);
        }
        ArrayNode figures = v.putArray("feedback");
        List<ObjectNode> rows = new ArrayList<>(feedback.values());
        rows.sort(Comparator.comparingLong((ObjectNode n) -> n.path("hourStart").asLong()).reversed()
                .thenComparing(n -> n.path("ruleId").asText()));
        for (Iterator<ObjectNode> it = rows.iterator(); it.hasNext() && figures.size() < MAX_ROWS; ) {
            figures.add(it.next());
        }
    }
}
