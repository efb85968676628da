package org.yrd.linkage.bench;

import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.SensorKind;

import java.util.EnumMap;
import java.util.Map;

/**
 * Input records as JSON lines, written straight into a {@link StringBuilder} (no tree, no
 * reflection): the generators must write millions of lines a second. Field order and presence
 * follow the contracts' examples; the strings written here never need escaping.
 */
final class Lines {

    static final Map<SensorKind, Double> THRESHOLD = new EnumMap<>(Map.of(
            SensorKind.WATER_LEVEL, 5.0, SensorKind.RAINFALL, 50.0, SensorKind.GAS, 25.0, SensorKind.SMOKE, 10.0,
            SensorKind.WATER_QUALITY, 40.0, SensorKind.AIR_QUALITY, 250.0, SensorKind.STRUCTURAL, 1000.0));
    static final Map<SensorKind, String> UNIT = new EnumMap<>(Map.of(
            SensorKind.WATER_LEVEL, "m", SensorKind.RAINFALL, "mm/h", SensorKind.GAS, "%LEL", SensorKind.SMOKE, "%obs/m",
            SensorKind.WATER_QUALITY, "mg/L", SensorKind.AIR_QUALITY, "ug/m3", SensorKind.STRUCTURAL, "ue"));
    static final Map<SensorKind, String> ABBR = new EnumMap<>(Map.of(
            SensorKind.WATER_LEVEL, "WAT", SensorKind.RAINFALL, "RAI", SensorKind.GAS, "GAS", SensorKind.SMOKE, "SMO",
            SensorKind.WATER_QUALITY, "WQ", SensorKind.AIR_QUALITY, "AIR", SensorKind.STRUCTURAL, "STR"));
    static final Map<CallCategory, String> TEXT = new EnumMap<>(Map.ofEntries(
            Map.entry(CallCategory.FIRE, "报警人称附近楼房起火，有浓烟"), Map.entry(CallCategory.EXPLOSION, "报警人听到巨大爆炸声"),
            Map.entry(CallCategory.GAS_LEAK, "报警人闻到强烈燃气味"), Map.entry(CallCategory.FLOOD, "道路积水严重，车辆被困"),
            Map.entry(CallCategory.COLLAPSE, "报警人称建筑物部分坍塌"), Map.entry(CallCategory.POLLUTION, "河道出现异味和死鱼"),
            Map.entry(CallCategory.TRAFFIC_ACCIDENT, "两车相撞，有人受伤"), Map.entry(CallCategory.PUBLIC_DISORDER, "多人聚集发生争执"),
            Map.entry(CallCategory.VIOLENCE, "报警人称遭到殴打"), Map.entry(CallCategory.FRAUD, "报警人称被冒充客服骗取钱款"),
            Map.entry(CallCategory.MISSING_PERSON, "家中老人走失"), Map.entry(CallCategory.OTHER, "其他求助")));

    private Lines() {}

    static void sensor(StringBuilder sb, String id, String sensorId, SensorKind kind, double value, long ts,
                       double lat, double lon, int cityCode) {
        sb.append("{\"id\":\"").append(id).append("\",\"sensorId\":\"").append(sensorId)
                .append("\",\"kind\":\"").append(kind.name()).append("\",\"value\":");
        fixed(sb, value, 3);
        sb.append(",\"unit\":\"").append(UNIT.get(kind)).append("\",\"ts\":").append(ts).append(",\"lat\":");
        fixed(sb, lat, 6);
        sb.append(",\"lon\":");
        fixed(sb, lon, 6);
        if (cityCode != 0) {
            sb.append(",\"cityCode\":\"").append(cityCode).append('"');
        }
        sb.append('}');
    }

    /** {@code callerHash} 0 means none; {@code text} null means none. */
    static void call(StringBuilder sb, String id, long ts, double lat, double lon, int cityCode, CallCategory category,
                     long callerHash, String text) {
        sb.append("{\"id\":\"").append(id).append("\",\"ts\":").append(ts).append(",\"lat\":");
        fixed(sb, lat, 6);
        sb.append(",\"lon\":");
        fixed(sb, lon, 6);
        if (cityCode != 0) {
            sb.append(",\"cityCode\":\"").append(cityCode).append('"');
        }
        sb.append(",\"category\":\"").append(category.name()).append('"');
        if (callerHash != 0) {
            sb.append(",\"callerHash\":\"");
            String h = Long.toHexString(callerHash);
            for (int i = h.length(); i < 16; i++) {
                sb.append('0');
            }
            sb.append(h).append('"');
        }
        if (text != null) {
            sb.append(",\"text\":\"").append(text).append('"');
        }
        sb.append('}');
    }

    /** {@code identifiers} holds type, value, type, value... */
    static void fraud(StringBuilder sb, String id, long ts, int cityCode, String fraudType, double amount, String... identifiers) {
        sb.append("{\"id\":\"").append(id).append("\",\"ts\":").append(ts).append(",\"cityCode\":\"").append(cityCode)
                .append("\",\"fraudType\":\"").append(fraudType).append("\",\"amountCny\":");
        fixed(sb, amount, 2);
        sb.append(",\"identifiers\":[");
        for (int i = 0; i < identifiers.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"type\":\"").append(identifiers[i]).append("\",\"value\":\"").append(identifiers[i + 1]).append("\"}");
        }
        sb.append("]}");
    }

    static void ack(StringBuilder sb, String alertId, int province, long ts, String status, String operator) {
        sb.append("{\"alertId\":\"").append(alertId).append("\",\"province\":\"").append(province)
                .append("\",\"ts\":").append(ts).append(",\"status\":\"").append(status).append('"');
        if (operator != null) {
            sb.append(",\"operator\":\"").append(operator).append('"');
        }
        sb.append('}');
    }

    /** {@code x} with exactly {@code decimals} digits after the point (rounded half up), no exponent. */
    static void fixed(StringBuilder sb, double x, int decimals) {
        long scale = 1;
        for (int i = 0; i < decimals; i++) {
            scale *= 10;
        }
        long v = Math.round(Math.abs(x) * scale);
        if (x < 0 && v != 0) {
            sb.append('-');
        }
        sb.append(v / scale);
        if (decimals > 0) {
            sb.append('.');
            String frac = Long.toString(v % scale);
            for (int i = frac.length(); i < decimals; i++) {
                sb.append('0');
            }
            sb.append(frac);
        }
    }

    /** {@code n} zero-padded to {@code width} digits. */
    static void padded(StringBuilder sb, long n, int width) {
        String s = Long.toString(n);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(s);
    }
}
