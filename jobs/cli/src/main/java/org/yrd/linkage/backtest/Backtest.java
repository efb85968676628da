package org.yrd.linkage.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.configuration.Configuration;
import org.yrd.linkage.replay.Replay;
import org.yrd.linkage.demo.DemoMap;
import org.yrd.linkage.ops.AlertAudit;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A backtest: the replay job graph over the same history with a baseline and a candidate rule
 * pack, and what differs between their final alerts (only in the candidate, only in the
 * baseline, changed), counted per rule and province, with precision and recall against labels.
 */
public final class Backtest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COMPARED = List.of("severity", "recipients", "provinces", "cancelled", "references", "evidence");

    /** The final alerts of one pack: alert id to its final state (expected-final-alerts form). */
    public record Result(String label, RulePack pack, Map<String, ObjectNode> alerts, List<JsonNode> records) {}

    /** Alert ids only in the candidate, only in the baseline, and in both but different. */
    public record Diff(List<String> onlyInCandidate, List<String> onlyInBaseline, List<String> changed) {}

    private Backtest() {}

    public static Result run(String label, Map<StreamKind, Path> inputs, Path out, RulePack pack, int parallelism) throws Exception {
        Replay.run(inputs, out, pack, Replay.configuration(parallelism, new Configuration()));
        AlertAudit audit = new AlertAudit();
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(Replay.ALERTS_FILE), StandardCharsets.UTF_8)) {
            audit.add(line);
            records.add(JSON.readTree(line));
        }
        Map<String, ObjectNode> alerts = new TreeMap<>();
        for (String s : audit.finalStates()) {
            ObjectNode o = (ObjectNode) JSON.readTree(s);
            alerts.put(o.get("alertId").asText(), o);
        }
        return new Result(label, pack, alerts, records);
    }

    public static Diff diff(Result baseline, Result candidate) {
        List<String> onlyNew = new ArrayList<>();
        List<String> onlyOld = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        TreeSet<String> ids = new TreeSet<>(baseline.alerts().keySet());
        ids.addAll(candidate.alerts().keySet());
        for (String id : ids) {
            ObjectNode b = baseline.alerts().get(id);
            ObjectNode c = candidate.alerts().get(id);
            if (b == null) {
                onlyNew.add(id);
            } else if (c == null) {
                onlyOld.add(id);
            } else if (COMPARED.stream().anyMatch(f -> !Objects.equals(b.get(f), c.get(f)))) {
                changed.add(id);
            }
        }
        return new Diff(onlyNew, onlyOld, changed);
    }

    /** Alerts per rule and per province (recipient provinces) of one result. */
    public static Map<String, Map<String, Integer>> counts(Result r) {
        Map<String, Integer> byRule = new TreeMap<>();
        Map<String, Integer> byProvince = new TreeMap<>();
        for (ObjectNode a : r.alerts().values()) {
            if (a.path("cancelled").asBoolean()) {
                continue;
            }
            byRule.merge(a.path("ruleId").asText(), 1, Integer::sum);
            for (JsonNode p : a.path("provinces")) {
                byProvince.merge(p.asText(), 1, Integer::sum);
            }
        }
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        counts.put("byRule", byRule);
        counts.put("byProvince", byProvince);
        return counts;
    }

    /**
     * Labels from acknowledgement records (alert-ack.schema.json, e.g. the provinces' feedback):
     * an alert is a true alarm when some province CONFIRMED or RESOLVED it, a false one when a
     * province called it FALSE_ALARM and none confirmed it. Other statuses label nothing.
     */
    public static Map<String, Boolean> labels(Path acks) throws IOException {
        Map<String, Boolean> labels = new HashMap<>();
        for (String line : Files.readAllLines(acks, StandardCharsets.UTF_8)) {
            JsonNode a;
            try {
                a = JSON.readTree(line);
            } catch (IOException unparseable) {
                continue;
            }
            if (a == null) {
                continue;
            }
            String id = a.path("alertId").asText();
            switch (a.path("status").asText()) {
                case "CONFIRMED", "RESOLVED" -> labels.put(id, true);
                case "FALSE_ALARM" -> labels.putIfAbsent(id, false);
                default -> { }
            }
        }
        return labels;
    }

    /** Precision and recall of a result's (uncancelled, non-escalation) alerts against labels; NaN when undefined. */
    public static double[] precisionRecall(Result r, Map<String, Boolean> labels) {
        int tp = 0;
        int fp = 0;
        for (ObjectNode a : r.alerts().values()) {
            Boolean truth = labels.get(a.get("alertId").asText());
            if (truth == null || a.path("cancelled").asBoolean()) {
                continue;
            }
            if (truth) {
                tp++;
            } else {
                fp++;
            }
        }
        long positives = labels.values().stream().filter(b -> b).count();
        return new double[] {tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp), positives == 0 ? Double.NaN : (double) tp / positives};
    }

    /** The report as JSON: packs, counts, the diff, precision and recall. */
    public static ObjectNode report(Result baseline, Result candidate, Diff diff, Map<String, Boolean> labels) {
        ObjectNode report = JSON.createObjectNode();
        for (Result r : List.of(baseline, candidate)) {
            ObjectNode side = report.putObject(r.label());
            side.put("pack", r.pack().id());
            side.put("version", r.pack().version());
            side.put("alerts", r.alerts().size());
            side.set("counts", JSON.valueToTree(counts(r)));
            if (labels != null) {
                double[] pr = precisionRecall(r, labels);
                putRounded(side, "precision", pr[0]);
                putRounded(side, "recall", pr[1]);
            }
        }
        ObjectNode d = report.putObject("diff");
        d.set("onlyInCandidate", details(diff.onlyInCandidate(), candidate, baseline, candidate));
        d.set("onlyInBaseline", details(diff.onlyInBaseline(), baseline, baseline, candidate));
        ArrayNode changed = d.putArray("changed");
        for (String id : diff.changed()) {
            ObjectNode c = changed.addObject();
            c.put("alertId", id);
            c.put("why", Why.of(id, baseline, candidate));
            c.set("baseline", baseline.alerts().get(id));
            c.set("candidate", candidate.alerts().get(id));
        }
        return report;
    }

    /** A figure rounded to 3 decimals, or null when it is undefined (JSON has no NaN). */
    private static void putRounded(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) {
            o.putNull(field);
        } else {
            o.put(field, Math.round(v * 1000) / 1000.0);
        }
    }

    private static ArrayNode details(List<String> ids, Result r, Result baseline, Result candidate) {
        ArrayNode a = JSON.createArrayNode();
        for (String id : ids) {
            ObjectNode o = r.alerts().get(id).deepCopy();
            o.put("why", Why.of(id, baseline, candidate));
            a.add(o);
        }
        return a;
    }

    /** A self-contained HTML report: the summary, the diff, and the candidate's alerts on the map. */
    public static String html(ObjectNode report, Result candidate, Map<String, double[]> locations) {
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>YRD backtest</title>")
                .append("<style>body{font-family:sans-serif;margin:2em;background:#fafafa}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#eee}.add{color:#060}.del{color:#a00}")
                .append("iframe{width:100%;height:900px;border:1px solid #ccc}</style></head><body>");
        s.append("<h1>回测 Backtest</h1><table><tr><th></th><th>pack</th><th>alerts</th><th>precision</th><th>recall</th></tr>");
        for (String side : List.of("baseline", "candidate")) {
            JsonNode r = report.get(side);
            s.append("<tr><th>").append(side).append("</th><td>").append(esc(r.path("pack").asText() + " v" + r.path("version").asText()))
                    .append("</td><td>").append(r.path("alerts").asInt()).append("</td><td>").append(percent(r.path("precision")))
                    .append("</td><td>").append(percent(r.path("recall"))).append("</td></tr>");
        }
        s.append("</table><h2>Per rule and province</h2><table><tr><th>count</th><th>baseline</th><th>candidate</th></tr>");
        for (String kind : List.of("byRule", "byProvince")) {
            TreeSet<String> keys = new TreeSet<>();
            report.at("/baseline/counts/" + kind).fieldNames().forEachRemaining(keys::add);
            report.at("/candidate/counts/" + kind).fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                s.append("<tr><td>").append(esc(k)).append("</td><td>").append(report.at("/baseline/counts/" + kind + "/" + k).asInt())
                        .append("</td><td>").append(report.at("/candidate/counts/" + kind + "/" + k).asInt()).append("</td></tr>");
            }
        }
        s.append("</table><h2>Diff</h2><table><tr><th></th><th>alertId</th><th>severity</th><th>provinces</th><th>evidence</th>")
                .append("<th>what moved it</th></tr>");
        rows(s, report.at("/diff/onlyInCandidate"), "add", "+ only in candidate");
        rows(s, report.at("/diff/onlyInBaseline"), "del", "- only in baseline");
        for (JsonNode c : report.at("/diff/changed")) {
            s.append("<tr><td>changed</td><td>").append(esc(c.path("alertId").asText())).append("</td><td>")
                    .append(esc(c.at("/baseline/severity").asText() + " → " + c.at("/candidate/severity").asText())).append("</td><td>")
                    .append(esc(c.at("/baseline/provinces").toString() + " → " + c.at("/candidate/provinces").toString())).append("</td><td>")
                    .append(c.at("/baseline/evidence").size()).append(" → ").append(c.at("/candidate/evidence").size())
                    .append("</td><td>").append(esc(c.path("why").asText())).append("</td></tr>");
        }
        JsonNode cand = report.get("candidate");
        DemoMap.Heading heading = DemoMap.Heading.report("回测：候选规则包的预警",
                "YRD Linkage · backtest of " + cand.path("pack").asText() + " v" + cand.path("version").asText(),
                eventTimeSpan(candidate.records()));
        s.append("</table><h2>Candidate's alerts on the map</h2><iframe srcdoc=\"")
                .append(esc(DemoMap.html(candidate.records(), locations::get, Map.of("alerts", (long) candidate.alerts().size()), heading)))
                .append("\"></iframe></body></html>");
        return s.toString();
    }

    private static void rows(StringBuilder s, JsonNode alerts, String css, String what) {
        for (JsonNode a : alerts) {
            s.append("<tr class=\"").append(css).append("\"><td>").append(what).append("</td><td>").append(esc(a.path("alertId").asText()))
                    .append("</td><td>").append(esc(a.path("severity").asText())).append("</td><td>").append(esc(a.path("provinces").toString()))
                    .append("</td><td>").append(a.path("evidence").size()).append("</td><td>").append(esc(a.path("why").asText()))
                    .append("</td></tr>");
        }
    }

    /** A share as a percentage with one decimal, or - when it is undefined. */
    private static String percent(JsonNode share) {
        return share.isNumber() ? String.format(Locale.ROOT, "%.1f%%", share.asDouble() * 100) : "-";
    }

    /** The event time the alerts span, for the map's heading: 事件时间 first – last (Beijing time). */
    private static String eventTimeSpan(List<JsonNode> records) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (JsonNode r : records) {
            long t = r.path("detectedTs").asLong(0);
            if (t > 0) {
                first = Math.min(first, t);
                last = Math.max(last, t);
            }
        }
        return first > last ? "无预警 no alerts" : "事件时间 " + Why.time(first) + " – " + Why.time(last) + " 北京时间";
    }

    /** Where each sensor reading and call of the inputs happened, for the map. */
    public static Map<String, double[]> locations(Map<StreamKind, Path> inputs) throws IOException {
        Map<String, double[]> at = new HashMap<>();
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL)) {
            Path f = inputs.get(s);
            if (f == null) {
                continue;
            }
            for (String line : Files.readAllLines(f, StandardCharsets.ISO_8859_1)) {
                try {
                    JsonNode n = JSON.readTree(line);
                    if (n != null && n.path("lat").isNumber() && n.path("lon").isNumber()) {
                        at.put(n.path("id").asText(), new double[] {n.get("lat").asDouble(), n.get("lon").asDouble()});
                    }
                } catch (IOException unparseable) {
                    // dead letters have no place on the map
                }
            }
        }
        return at;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
