package org.yrd.linkage.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.yrd.linkage.rules.PatternRule;
import org.yrd.linkage.rules.RulePack;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What moved one alert between the baseline and the candidate of a backtest, in a line an
 * analyst reads: the settings of its rule that differ between the packs, what changed in the
 * alert itself, and for an escalation, how the escalated alert's first record to the province
 * (and so the acknowledgement deadline) moved.
 */
final class Why {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm:ss").withZone(ZoneId.of("Asia/Shanghai"));

    private Why() {}

    static String time(long millis) {
        return TIME.format(Instant.ofEpochMilli(millis));
    }

    static String of(String alertId, Backtest.Result baseline, Backtest.Result candidate) {
        if (alertId.startsWith("ESC-ACK:")) {
            return escalation(alertId, baseline, candidate);
        }
        ObjectNode b = baseline.alerts().get(alertId);
        ObjectNode c = candidate.alerts().get(alertId);
        String rule = ruleOf(alertId);
        String settings = settings(rule, baseline.pack(), candidate.pack());
        List<String> parts = new ArrayList<>();
        if (b == null) {
            parts.add("raised only with the candidate pack");
        } else if (c == null) {
            parts.add("raised only with the baseline pack");
        } else {
            parts.addAll(changes(b, c));
        }
        parts.add(settings.isEmpty() ? "no setting of " + rule + " differs: other events or alerts it depends on moved it"
                : rule + ": " + settings);
        return String.join("; ", parts);
    }

    private static String ruleOf(String alertId) {
        return alertId.substring(0, alertId.indexOf(':'));
    }

    /** An escalation appears, goes or moves when the escalated alert reaches the province at another time, or the SLA changes. */
    private static String escalation(String escId, Backtest.Result baseline, Backtest.Result candidate) {
        String rest = escId.substring("ESC-ACK:".length());
        String escalated = rest.substring(0, rest.lastIndexOf(':'));
        String province = rest.substring(rest.lastIndexOf(':') + 1);
        Long before = firstSent(baseline).get(escalated + '|' + province);
        Long after = firstSent(candidate).get(escalated + '|' + province);
        List<String> parts = new ArrayList<>();
        if (before == null && after == null) {
            parts.add(escalated + " reached " + province + " with neither pack");
        } else if (before == null) {
            parts.add(escalated + " reached " + province + " only with the candidate pack (at " + time(after) + ")");
        } else if (after == null) {
            parts.add(escalated + " reached " + province + " only with the baseline pack (at " + time(before) + ")");
        } else if (!before.equals(after)) {
            long minutes = Math.round((after - before) / 60_000.0);
            boolean onlyInCandidate = !baseline.alerts().containsKey(escId) && candidate.alerts().containsKey(escId);
            boolean onlyInBaseline = baseline.alerts().containsKey(escId) && !candidate.alerts().containsKey(escId);
            parts.add(escalated + " reached " + province + " at " + time(after) + " instead of " + time(before)
                    + ", so its acknowledgement deadline moved " + (minutes < 0 ? -minutes + " min earlier" : minutes + " min later")
                    + (onlyInCandidate ? ", before the province acknowledged"
                    : onlyInBaseline ? ", after the province acknowledged" : ""));
        } else {
            parts.add(escalated + " reached " + province + " at the same time with both packs");
        }
        String sla = settings("ESC-ACK", baseline.pack(), candidate.pack());
        if (!sla.isEmpty()) {
            parts.add("ESC-ACK: " + sla);
        }
        String rule = ruleOf(escalated);
        String settings = settings(rule, baseline.pack(), candidate.pack());
        if (!settings.isEmpty()) {
            parts.add(rule + ": " + settings);
        }
        return String.join("; ", parts);
    }

    /** Per "alertId|recipient", the detectedTs of the first record that recipient received of the alert. */
    private static Map<String, Long> firstSent(Backtest.Result r) {
        Map<String, Long> first = new HashMap<>();
        Map<String, Integer> revision = new HashMap<>();
        for (JsonNode rec : r.records()) {
            String key = rec.path("alertId").asText() + '|' + rec.path("recipient").asText();
            int rev = rec.path("revision").asInt();
            if (!revision.containsKey(key) || rev < revision.get(key)) {
                revision.put(key, rev);
                first.put(key, rec.path("detectedTs").asLong());
            }
        }
        return first;
    }

    /** What a recipient sees differently of an alert in both results. */
    private static List<String> changes(JsonNode b, JsonNode c) {
        List<String> parts = new ArrayList<>();
        if (!Objects.equals(b.get("severity"), c.get("severity"))) {
            parts.add("severity " + b.path("severity").asText() + " → " + c.path("severity").asText());
        }
        String provinces = setChange(b.get("provinces"), c.get("provinces"));
        if (!provinces.isEmpty()) {
            parts.add("provinces " + provinces);
        }
        String evidence = setChange(ids(b.get("evidence")), ids(c.get("evidence")));
        if (!evidence.isEmpty()) {
            parts.add("evidence " + evidence);
        }
        if (b.path("cancelled").asBoolean() != c.path("cancelled").asBoolean()) {
            parts.add(c.path("cancelled").asBoolean() ? "cancelled with the candidate pack" : "no longer cancelled");
        }
        if (!Objects.equals(b.get("references"), c.get("references"))) {
            parts.add("references " + b.path("references") + " → " + c.path("references"));
        }
        return parts;
    }

    private static JsonNode ids(JsonNode evidence) {
        com.fasterxml.jackson.databind.node.ArrayNode a = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        if (evidence != null) {
            for (JsonNode e : evidence) {
                a.add(e.isTextual() ? e.asText() : e.path("stream").asText() + ":" + e.path("id").asText());
            }
        }
        return a;
    }

    /** {@code +a +b −c}: what the second set has and the first lacks, and the other way. */
    private static String setChange(JsonNode before, JsonNode after) {
        TreeSet<String> b = new TreeSet<>();
        TreeSet<String> a = new TreeSet<>();
        if (before != null) {
            before.forEach(n -> b.add(n.asText()));
        }
        if (after != null) {
            after.forEach(n -> a.add(n.asText()));
        }
        List<String> out = new ArrayList<>();
        a.stream().filter(x -> !b.contains(x)).forEach(x -> out.add("+" + x));
        b.stream().filter(x -> !a.contains(x)).forEach(x -> out.add("−" + x));
        return String.join(" ", out);
    }

    /** The settings of a rule (or pattern) that differ between two packs, e.g. {@code minCalls 3 → 2}; empty when none do. */
    static String settings(String rule, RulePack before, RulePack after) {
        List<String> parts = new ArrayList<>();
        switch (rule) {
            case "INC-CASCADE" -> {
                compare("", before.cascade(), after.cascade(), parts);
                compare("hazards.", before.hazards(), after.hazards(), parts);
            }
            case "INC-SPREAD" -> {
                compare("", before.spread(), after.spread(), parts);
                compare("hazards.", before.hazards(), after.hazards(), parts);
            }
            case "INC-CLUSTER" -> compare("", before.cluster(), after.cluster(), parts);
            case "CYB-LINK" -> compare("", before.link(), after.link(), parts);
            case "CYB-BURST" -> compare("", before.burst(), after.burst(), parts);
            case "ESC-ACK" -> compare("", before.escalation(), after.escalation(), parts);
            default -> {
                PatternRule b = before.pattern(rule);
                PatternRule a = after.pattern(rule);
                if (b == null && a != null) {
                    parts.add("a pattern only the candidate pack has");
                } else if (b != null && a == null) {
                    parts.add("a pattern only the baseline pack has");
                } else if (b != null) {
                    compare("", b, a, parts);
                }
            }
        }
        return String.join(", ", parts);
    }

    private static void compare(String prefix, Object before, Object after, List<String> parts) {
        if (Objects.equals(before, after)) {
            return;
        }
        if (before instanceof Record && after instanceof Record && before.getClass() == after.getClass()) {
            for (RecordComponent rc : before.getClass().getRecordComponents()) {
                try {
                    compare(prefix + rc.getName() + ".", rc.getAccessor().invoke(before), rc.getAccessor().invoke(after), parts);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return;
        }
        if (before instanceof Map<?, ?> b && after instanceof Map<?, ?> a) {
            TreeSet<String> keys = new TreeSet<>();
            b.keySet().forEach(k -> keys.add(String.valueOf(k)));
            a.keySet().forEach(k -> keys.add(String.valueOf(k)));
            for (String k : keys) {
                compare(prefix + k + ".", valueOf(b, k), valueOf(a, k), parts);
            }
            return;
        }
        String name = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
        parts.add(name + " " + shown(before) + " → " + shown(after));
    }

    private static Object valueOf(Map<?, ?> m, String key) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (String.valueOf(e.getKey()).equals(key)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static String shown(Object v) {
        if (v == null) {
            return "none";
        }
        if (v instanceof Duration d) {
            return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        return String.valueOf(v);
    }
}
