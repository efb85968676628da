package org.yrd.linkage.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.yrd.linkage.demo.ScenarioGenerator.GeneratedRecord;
import org.yrd.linkage.demo.ScenarioGenerator.PlantedChain;
import org.yrd.linkage.region.Region;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo map is one self-contained, well-formed page that draws every alert as its chain. */
class DemoMapTest {

    static final long NOW = 1_785_542_400_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anEmptyMapHasOnePathPerCityAndNothingFromOutside() throws Exception {
        String html = DemoMap.html(List.of(), id -> null, Map.of("sensor readings", 12L), NOW);
        assertThat(count(html, "<path")).isEqualTo(41);
        assertThat(html).startsWith("<!DOCTYPE html>");
        assertThat(html).contains("<meta http-equiv=\"refresh\" content=\"2\"/>");
        assertThat(html).doesNotContain("http://", "https://", "<script", " src=", "url(", "@import", "<link");
        for (var c : Region.get().cities().values()) {
            assertThat(html).contains("data-city=\"" + c.code() + "\"");
            assertThat(html).contains(">" + c.name().replaceAll("市$", "") + "</text>");
        }
        assertThat(html).contains("prov-border");
        wellFormed(html);
    }

    @Test
    void eachAlertIsDrawnAsLinesFromItsLocationToEveryLocatedEvidenceEvent() throws Exception {
        Map<String, double[]> where = new HashMap<>();
        where.put("s-1", new double[] {31.02, 120.90});
        where.put("c-1", new double[] {31.05, 120.95});
        where.put("c-2", new double[] {31.00, 121.02});
        where.put("c-3", new double[] {30.98, 120.93});
        JsonNode cascade = alert("INC-CASCADE:s-1", 1, "ALERT", "INCIDENT_CHAIN", "CRITICAL", "310000",
                List.of("310000", "320000"), List.of("310100", "320500"),
                List.of("SENSOR:s-1", "CALL:c-1", "CALL:c-2", "CALL:c-3", "CALL:c-unknown"), new double[] {31.02, 120.90}, "燃气传感器超限");
        JsonNode cluster = alert("INC-CLUSTER:c-9", 2, "UPDATE", "INCIDENT_CHAIN", "HIGH", "320000",
                List.of("320000"), List.of("320500"), List.of("CALL:c-1", "CALL:c-2", "CALL:c-3"), null, "跨省警情聚集");
        String html = DemoMap.html(List.of(cascade, cluster), where::get, Map.of(), NOW);
        // located evidence: 4 of 5; the sensor sits on the alert's location, so 3 lines
        assertThat(count(html, "<line class=\"link\" data-alert=\"INC-CASCADE:s-1\"")).isEqualTo(3);
        // no location: the lines start at the first located evidence event
        assertThat(count(html, "<line class=\"link\" data-alert=\"INC-CLUSTER:c-9\"")).isEqualTo(2);
        assertThat(html).contains("class=\"chain sev-CRITICAL\"", "class=\"chain sev-HIGH\"");
        assertThat(count(html, "<rect class=\"ev sensor\"")).isEqualTo(1);
        // affected provinces are highlighted by their highest severity
        assertThat(html).containsPattern("<path class=\"city p310000 hot-crit city-crit\" data-city=\"310100\"");
        assertThat(html).containsPattern("<path class=\"city p320000 hot-crit city-crit\" data-city=\"320500\"");
        assertThat(html).containsPattern("<path class=\"city p330000\" data-city=\"330100\"");
        wellFormed(html);
    }

    @Test
    void recordsOfOneAlertMergeIntoItsLatestRevisionWithAllItsRecipients() {
        List<JsonNode> records = List.of(
                alert("CYB-LINK:f-1", 1, "ALERT", "CYBER_CHAIN", "HIGH", "310000", List.of("310000", "320000"), List.of("310100", "320500"),
                        List.of("FRAUD:f-1", "FRAUD:f-2"), null, "第一版"),
                alert("CYB-LINK:f-1", 2, "UPDATE", "CYBER_CHAIN", "CRITICAL", "320000", List.of("310000", "320000", "340000"),
                        List.of("310100", "320500", "340100"), List.of("FRAUD:f-1", "FRAUD:f-2", "FRAUD:f-3"), null, "第二版"),
                alert("CYB-LINK:f-1", 2, "UPDATE", "CYBER_CHAIN", "CRITICAL", "340000", List.of("310000", "320000", "340000"),
                        List.of("310100", "320500", "340100"), List.of("FRAUD:f-1", "FRAUD:f-2", "FRAUD:f-3"), null, "第二版"),
                alert("CYB-LINK:f-1", 1, "ALERT", "CYBER_CHAIN", "HIGH", "320000", List.of("310000", "320000"), List.of("310100", "320500"),
                        List.of("FRAUD:f-1", "FRAUD:f-2"), null, "第一版"));
        String html = DemoMap.html(records, id -> null, Map.of(), NOW);
        assertThat(count(html, "<li class=\"alert")).isEqualTo(1);
        assertThat(html).contains("第二版").doesNotContain("第一版");
        assertThat(html).contains("UPDATE r2").contains("320000(苏) · 340000(皖)");
        // nothing located: the chain links the alert's cities
        assertThat(count(html, "<line class=\"link\" data-alert=\"CYB-LINK:f-1\"")).isEqualTo(2);
    }

    @Test
    void cancelledAlertsAreGreyAndDashedAndEscalationsHaveTheirOwnMarker() throws Exception {
        Map<String, double[]> where = Map.of("f-1", new double[] {31.2, 121.4}, "f-2", new double[] {32.0, 118.8});
        List<JsonNode> records = List.of(
                alert("CYB-LINK:f-2", 2, "CANCEL", "CYBER_CHAIN", "HIGH", "320000", List.of("310000", "320000"),
                        List.of("310100", "320100"), List.of("FRAUD:f-1", "FRAUD:f-2"), null, "【撤销，已并入CYB-LINK:f-0】"),
                alert("ESC-ACK:INC-SPREAD:s-7:330000", 1, "ALERT", "ESCALATION", "CRITICAL", "YRD", List.of("320000", "330000"),
                        List.of("320500", "330500"), List.of("SENSOR:s-7", "SENSOR:s-8"), new double[] {30.9, 120.6}, "浙江省未在5分钟内签收预警"));
        String html = DemoMap.html(records, where::get, Map.of(), NOW);
        assertThat(html).contains("class=\"chain sev-HIGH cancelled cyber\"", "stroke-dasharray");
        assertThat(html).contains("<li class=\"alert sev-HIGH cancelled\">");
        assertThat(html).contains("class=\"chain sev-CRITICAL escalation\"", "<circle class=\"esc-ring\"", "ESCALATION");
        // a cancelled alert highlights nothing
        assertThat(html).containsPattern("<path class=\"city p310000\" data-city=\"310100\"");
        wellFormed(html);
    }

    @Test
    void summariesIdsAndCounterNamesAreEscaped() throws Exception {
        String nasty = "<script>alert('x')</script> & \"quoted\" \u0001";
        JsonNode a = alert("INC-CLUSTER:<b>&", 1, "ALERT", "INCIDENT_CHAIN", "HIGH", "310000", List.of("310000"),
                List.of("310100"), List.of("CALL:c-1"), new double[] {31.2, 121.4}, nasty);
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("<alerts>", 3L);
        counters.put("dead letters", 1_234_567L);
        String html = DemoMap.html(List.of(a), id -> new double[] {31.25, 121.45}, counters, NOW);
        assertThat(html).doesNotContain("<script>", "<b>&", "<alerts>", "\u0001");
        assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;");
        assertThat(html).contains("INC-CLUSTER:&lt;b&gt;&amp;", "&lt;alerts&gt;", "1,234,567");
        wellFormed(html);
    }

    @Test
    void onlyAlertsOfTheLastFiveMinutesHighlightTheirProvinces() {
        JsonNode old = alert("INC-CLUSTER:c-1", 1, "ALERT", "INCIDENT_CHAIN", "HIGH", "330000", List.of("330000", "340000"),
                List.of("330100", "341000"), List.of("CALL:c-1"), new double[] {30.2, 119.0}, "旧");
        ((ObjectNode) old).put("detectedTs", NOW - 6 * 60_000);
        JsonNode recent = alert("INC-SPREAD:s-1", 1, "ALERT", "INCIDENT_CHAIN", "CRITICAL", "310000", List.of("310000", "320000"),
                List.of("310100", "320500"), List.of("SENSOR:s-1"), new double[] {31.2, 121.0}, "新");
        String html = DemoMap.html(List.of(old, recent), id -> null, Map.of(), NOW);
        assertThat(html).contains("<path class=\"city p330000\" data-city=\"330100\"", "<path class=\"city p340000\" data-city=\"341000\"");
        assertThat(html).contains("<path class=\"city p310000 hot-crit city-crit\" data-city=\"310100\"");
        assertThat(html).contains("<path class=\"city p320000 hot-crit\" data-city=\"320100\"");
    }

    @Test
    void theMapKeepsToTheNewestAlerts() {
        List<JsonNode> records = new ArrayList<>();
        for (int i = 0; i < DemoMap.MAX_ALERTS + 10; i++) {
            records.add(alert("CYB-BURST:f-" + i + ":PAYMENT_ACCOUNT-0123456789ab", 1, "ALERT", "CYBER_BURST", "HIGH", "330000",
                    List.of("330000"), List.of("330100"), List.of("FRAUD:f-" + i), null, "第" + i + "起"));
        }
        String html = DemoMap.html(records, id -> null, Map.of(), NOW);
        assertThat(count(html, "<li class=\"alert")).isEqualTo(DemoMap.MAX_ALERTS);
        assertThat(html).contains("CYB-BURST:f-49:").doesNotContain("CYB-BURST:f-9:");
        String panel = html.substring(html.indexOf("<aside"));
        assertThat(panel.indexOf("CYB-BURST:f-49:")).isLessThan(panel.indexOf("CYB-BURST:f-48:"));
    }

    /**
     * Renders a realistic sample to target/demo-map-sample.html (for a screenshot): the generator's
     * planted chains of a few minutes as the engine would report them, some acknowledged, some
     * escalated, one cancelled.
     */
    @Test
    void rendersASampleMapFromGeneratedChains() throws Exception {
        ScenarioGenerator g = new ScenarioGenerator(42, 20);
        Map<String, double[]> where = new HashMap<>();
        g.advance(NOW);
        long now = NOW;
        int records = 0;
        for (now = NOW + 500; now <= NOW + 4 * 60_000; now += 500) {
            for (GeneratedRecord r : g.advance(now)) {
                records++;
                if (!Double.isNaN(r.lat())) {
                    where.put(r.id(), new double[] {r.lat(), r.lon()});
                }
            }
        }
        List<JsonNode> alerts = new ArrayList<>();
        int n = 0;
        for (PlantedChain c : g.planted()) {
            if (c.completeTs() > now) {
                continue;
            }
            n++;
            boolean incident = c.ruleId().startsWith("INC-");
            String severity = c.ruleId().equals("INC-CASCADE") || c.ruleId().equals("INC-SPREAD") ? "CRITICAL" : "HIGH";
            String kind = incident ? "INCIDENT_CHAIN" : c.ruleId().equals("CYB-LINK") ? "CYBER_CHAIN" : "CYBER_BURST";
            List<String> evidence = new ArrayList<>();
            TreeSet<String> cities = new TreeSet<>();
            for (String id : c.eventIds()) {
                evidence.add((id.startsWith("s-") ? "SENSOR:" : id.startsWith("c-") ? "CALL:" : "FRAUD:") + id);
                double[] p = where.get(id);
                cities.add(String.valueOf(Region.get().cityAt(p[0], p[1])));
            }
            double[] location = incident ? where.get(c.anchorId()) : null;
            boolean cancelled = c.ruleId().equals("CYB-LINK") && n % 3 == 0;
            String summary = summary(c, cities) + (cancelled ? "（已并入其他案件）" : "");
            for (String province : c.provinces()) {
                alerts.add(at(alert(c.alertId(), cancelled ? 3 : 1, cancelled ? "CANCEL" : "ALERT", kind, severity, province,
                        c.provinces(), List.copyOf(cities), evidence, location, summary), c));
            }
            if (!c.acknowledged() && !cancelled && n % 2 == 0) {
                String province = c.provinces().get(0);
                alerts.add(at(alert("ESC-ACK:" + c.alertId() + ":" + province, 1, "ALERT", "ESCALATION", severity, "YRD",
                        c.provinces(), List.copyOf(cities), evidence, location,
                        Region.get().city(Integer.parseInt(province) + 100).provinceName() + "未在" + ("CRITICAL".equals(severity) ? 5 : 15)
                                + "分钟内签收预警 " + c.alertId() + "，已上报长三角联合指挥中心"), c));
            }
        }
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("输入记录 input records", (long) records);
        counters.put("预警记录 alert records", (long) alerts.size());
        counters.put("已签收 acknowledged", g.planted().stream().filter(PlantedChain::acknowledged).count());
        counters.put("死信 dead letters", 3L);
        counters.put("p99 延迟 latency ms", 31L);
        String html = DemoMap.html(alerts, where::get, counters, now);
        wellFormed(html);
        assertThat(count(html, "<path")).isEqualTo(41);
        assertThat(count(html, "<line class=\"link\"")).isGreaterThan(40);
        Path out = Path.of("target", "demo-map-sample.html");
        Files.createDirectories(out.getParent());
        Files.writeString(out, html, StandardCharsets.UTF_8);
        assertThat(Files.size(out)).isGreaterThan(50_000);
    }

    /** Stamps a sample record with its chain's times, as the engine would. */
    private static JsonNode at(JsonNode alert, PlantedChain c) {
        ObjectNode n = (ObjectNode) alert;
        n.put("firstEventTs", c.startTs());
        n.put("lastEventTs", c.completeTs());
        n.put("detectedTs", c.completeTs());
        return n;
    }

    private static String summary(PlantedChain c, TreeSet<String> cities) {
        StringBuilder names = new StringBuilder();
        for (String code : cities) {
            names.append(names.length() == 0 ? "" : "、").append(Region.get().city(Integer.parseInt(code)).name());
        }
        switch (c.ruleId()) {
            case "INC-CASCADE": return "燃气/烟雾传感器超限1次，15公里内相关110警情" + (c.eventIds().size() - 1) + "起：" + names;
            case "INC-SPREAD": return "超限在多省同时出现（" + c.eventIds().size() + "个传感器读数，50公里内）：" + names;
            case "INC-CLUSTER": return "跨省110警情聚集" + c.eventIds().size() + "起（10公里内）：" + names;
            case "CYB-LINK": return "跨省电信网络诈骗串案：" + c.eventIds().size() + "起报案经共用账号/号码关联：" + names;
            default: return "同一账号短时集中被报案" + c.eventIds().size() + "起，请紧急止付：" + names;
        }
    }

    static JsonNode alert(String alertId, int revision, String msgType, String kind, String severity, String recipient,
                          List<String> provinces, List<String> cities, List<String> evidence, double[] location, String summary) {
        ObjectNode n = JSON.createObjectNode();
        n.put("alertId", alertId);
        n.put("revision", revision);
        n.put("msgType", msgType);
        n.put("kind", kind);
        n.put("ruleId", alertId.substring(0, alertId.indexOf(':')));
        n.put("ruleVersion", "1");
        n.put("severity", severity);
        n.put("recipient", recipient);
        provinces.forEach(n.putArray("provinces")::add);
        cities.forEach(n.putArray("cities")::add);
        ArrayNode ev = n.putArray("evidence");
        for (String e : evidence) {
            ev.addObject().put("stream", e.substring(0, e.indexOf(':'))).put("id", e.substring(e.indexOf(':') + 1));
        }
        n.put("firstEventTs", NOW - 60_000);
        n.put("lastEventTs", NOW - 5_000);
        n.put("detectedTs", NOW - 5_000);
        if (kind.equals("ESCALATION")) {
            n.putArray("references").add(alertId.substring("ESC-ACK:".length(), alertId.lastIndexOf(':')));
        }
        if (location != null) {
            n.putObject("location").put("lat", location[0]).put("lon", location[1]);
        }
        n.put("summary", summary);
        return n;
    }

    private static void wellFormed(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        f.setValidating(false);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        assertThat(d.getDocumentElement().getTagName()).isEqualTo("html");
    }

    private static int count(String s, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
