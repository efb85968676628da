package org.yrd.linkage.chain;

import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.region.City;
import org.yrd.linkage.region.Region;
import org.yrd.linkage.rules.PatternRule;

import java.util.Locale;
import java.util.Map;

/**
 * One line in Chinese that a duty officer can read at a glance: what happened, where (city names),
 * how many events, the loss for fraud. Never contains an identifier beyond its masked form.
 */
public final class Summaries {

    private static final Map<String, String> SUBJECTS = Map.ofEntries(
            Map.entry("WATER_LEVEL", "水位"), Map.entry("RAINFALL", "降雨"), Map.entry("GAS", "燃气"),
            Map.entry("SMOKE", "烟雾"), Map.entry("WATER_QUALITY", "水质"), Map.entry("AIR_QUALITY", "空气质量"),
            Map.entry("STRUCTURAL", "结构应变"), Map.entry("FIRE", "火灾"), Map.entry("EXPLOSION", "爆炸"),
            Map.entry("GAS_LEAK", "燃气泄漏"), Map.entry("FLOOD", "洪涝"), Map.entry("COLLAPSE", "坍塌"),
            Map.entry("POLLUTION", "污染"), Map.entry("TRAFFIC_ACCIDENT", "交通事故"),
            Map.entry("PUBLIC_DISORDER", "扰乱秩序"), Map.entry("VIOLENCE", "暴力"));

    private static final java.util.Set<String> FIRE = java.util.Set.of("GAS", "SMOKE", "FIRE", "EXPLOSION", "GAS_LEAK");
    private static final java.util.Set<String> ENV = java.util.Set.of("WATER_QUALITY", "AIR_QUALITY", "POLLUTION");

    private Summaries() {}

    /** The Chinese name of a sensor kind or call category, or null for none. */
    public static String subjectName(String subject) {
        return subject == null ? null : SUBJECTS.get(subject);
    }

    /** The CAP category of an incident's hazard: Fire, Env, or Safety for the rest. */
    public static String capCategory(String subject) {
        if (subject == null) {
            return "Safety";
        }
        return FIRE.contains(subject) ? "Fire" : ENV.contains(subject) ? "Env" : "Safety";
    }

    /** @param pattern the analysts' pattern that raised the chain, null for the six rules */
    static String of(Chain c, MsgType type, String[] provinces, String[] cities, PatternRule pattern) {
        String prefix = type == MsgType.CANCEL ? "【撤销，已并入" + (c.mergedInto == null ? "其他案件" : c.mergedInto) + "】" : "";
        String where = places(cities, provinces);
        String subject = SUBJECTS.getOrDefault(c.subject, c.subject == null ? "" : c.subject);
        long sensors = c.count(StreamKind.SENSOR);
        long calls = c.count(StreamKind.CALL);
        long reports = c.count(StreamKind.FRAUD);
        if (pattern != null) {
            return prefix + pattern(pattern, c, subject, where, sensors, calls, reports, provinces.length, cities.length);
        }
        switch (c.ruleId) {
            case "INC-CASCADE":
                return prefix + String.format(Locale.ROOT, "%s传感器超限%d次，%.0f公里内相关110警情%d起：%s",
                        subject, sensors, c.radiusKm, calls, where);
            case "INC-SPREAD":
                return prefix + String.format(Locale.ROOT, "%s超限在多省同时出现（%d个传感器读数，%.0f公里内）：%s",
                        subject, sensors, c.radiusKm, where);
            case "INC-CLUSTER":
                return prefix + String.format(Locale.ROOT, "跨省%s类110警情聚集%d起（%.0f公里内）：%s",
                        subject, calls, c.radiusKm, where);
            case "CYB-LINK":
                return prefix + String.format(Locale.ROOT, "跨省电信网络诈骗串案：%d起报案经共用账号/号码关联，涉案损失%s元：%s",
                        reports, money(c.lossCny), where);
            case "CYB-BURST":
                return prefix + String.format(Locale.ROOT, "同一账号/号码短时集中被报案%d起（%s），损失%s元，请紧急止付：%s",
                        reports, String.join("、", c.identifiers), money(c.lossCny), where);
            default:
                return prefix + where;
        }
    }

    /**
     * A pattern's summary: its template with the placeholders of {@link PatternRule#PLACEHOLDERS}
     * filled in, or by default the pattern's id, what its evidence holds and where.
     */
    private static String pattern(PatternRule p, Chain c, String subject, String where, long sensors, long calls,
                                  long reports, int provinces, int cities) {
        String template = p.summary() != null ? p.summary()
                : p.id() + "：{events}个事件（传感器读数{sensors}、110警情{calls}、诈骗报案{reports}）：{places}";
        Map<String, String> values = Map.of(
                "places", where, "events", Integer.toString(c.size()), "sensors", Long.toString(sensors),
                "calls", Long.toString(calls), "reports", Long.toString(reports), "provinces", Integer.toString(provinces),
                "cities", Integer.toString(cities), "loss", money(c.lossCny), "subject", subject);
        StringBuilder sb = new StringBuilder();
        java.util.regex.Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(values.getOrDefault(m.group(1), m.group())));
        }
        return m.appendTail(sb).toString();
    }

    private static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile("\\{([a-z]+)}");

    static String escalation(AlertRevision escalated, String province, long slaMinutes) {
        City p = Region.get().city(Integer.parseInt(province) + 100);
        String name = p == null ? province : p.provinceName();
        return String.format(Locale.ROOT, "%s未在%d分钟内签收预警 %s，已上报长三角联合指挥中心。原预警：%s",
                name, slaMinutes, escalated.alertId(), escalated.summary());
    }

    /** The withdrawal of an alert that events arriving late proved never to have existed; the rest is what it said. */
    static String withdrawal(AlertRevision withdrawn) {
        return "【撤回：按事件时间重排后，此预警不成立】" + withdrawn.summary();
    }

    private static String places(String[] cities, String[] provinces) {
        StringBuilder sb = new StringBuilder();
        for (String code : cities) {
            City city = Region.get().city(Integer.parseInt(code));
            if (sb.length() > 0) {
                sb.append('、');
            }
            sb.append(city == null ? code : city.name());
        }
        if (provinces.length > 1) {
            sb.append("（跨").append(provinces.length).append("省市）");
        }
        return sb.toString();
    }

    private static String money(double cny) {
        return String.format(Locale.ROOT, "%,.2f", cny);
    }
}
