package org.yrd.linkage.alerting;

import org.yrd.linkage.chain.Revisions;
import org.yrd.linkage.chain.Summaries;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.region.City;
import org.yrd.linkage.region.Region;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The CAP 1.2 form of an alert record (contracts/README.md, "CAP 1.2 mapping"): one document per
 * revision and recipient, for the topic {@code yrd.alerts-cap.<recipient>} and the replay file
 * {@code cap/<alertId>_<revision>_<recipient>.xml}, valid against {@code config/cap/CAP-v1.2.xsd}.
 * A pure function of its arguments: neither the wall clock nor {@code emittedAt} enters the
 * document, so re-delivering a revision gives byte-identical XML and replay gives the documents
 * live mode gives.
 *
 * <p>What the contract leaves open is decided as follows.
 * <ul>
 *   <li><b>identifier</b> {@code <alertId>#<revision>#<recipient>}. CAP forbids spaces, commas,
 *       {@code <} and {@code &} in identifiers, and an alert id carries an input event id; such
 *       characters (and {@code %}) are percent-encoded as UTF-8, so ordinary ids pass unchanged.
 *   <li><b>msgType</b> follows what the recipient holds, not only the record: ALERT is Alert;
 *       UPDATE is Update for a recipient that received an earlier document of the alert, and Alert
 *       without references for one that did not (a province that joins later, at whatever
 *       revision); CANCEL is Cancel. An escalation's first revision is thus Alert, its later ones
 *       Update.
 *   <li><b>sent</b> is the revision's {@code detectedTs} in China time, {@code +08:00}, whole
 *       seconds: the event time at which the rule fired, an escalation's deadline, and for a CANCEL
 *       the ts of the event that caused it (the merging report, or the late event that withdrew the
 *       alert, {@link Revisions#withdrawal}). It is never the wall clock, so it can be recomputed
 *       from a revision alone.
 *   <li><b>references</b> (Update, Cancel) names the one document of the same alert that this
 *       recipient received last, as {@code sender,identifier,sent} of it: the caller passes its
 *       {@link Received revision and detectedTs}. A Cancel to a recipient of whom nothing is known
 *       (possible only if the caller's memory of it was lost) carries no references rather than a
 *       guessed one.
 *   <li><b>category</b> Security for cyber alerts (CYBER_CHAIN, CYBER_BURST, and escalations of
 *       them); otherwise by hazard: Fire for gas, gas leaks, smoke, fire and explosions, Env for
 *       water and air quality and pollution, Safety for everything else (water level, rainfall,
 *       floods, structural strain, collapse, traffic, disorder, violence). The hazard is the
 *       revision's {@code subject} (sensor kind or call category); a withdrawal repeats the
 *       withdrawn revision's.
 *   <li><b>scope</b> Restricted, with {@code restriction} naming the recipient and
 *       {@code addresses} its code; {@code incidents} lists the alert id and the alert ids it
 *       refers to (the escalated alert, the case merged into), so one incident's messages collate.
 *   <li><b>area</b> one, over the alert's cities (areaDesc the Chinese names joined by 、, one
 *       {@code GB/T 2260} geocode each) with the incident circle {@code lat,lon radiusKm}.
 * </ul>
 * Masked identifiers may appear in the description; raw identifiers never reach an alert revision.
 */
public final class CapXml {

    /** The {@code sender} of every document: the engine, not a person. */
    public static final String SENDER = "yrd-linkage@yrd.gov.cn";

    private static final String NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2";
    private static final String GEOCODE = "GB/T 2260";
    private static final String SENDER_NAME = "长三角区域联动预警引擎";
    private static final String REGIONAL_CENTRE_NAME = "长三角联合指挥中心";
    private static final DateTimeFormatter CAP_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx", Locale.ROOT).withZone(ZoneOffset.ofHours(8));
    private static final int MAX_FILE_ID = 150;

    private CapXml() {}

    /**
     * The document of one revision that a recipient received: its revision number and detectedTs,
     * from which the document's identifier and {@code sent} follow. A Flink POJO (kept per recipient
     * by {@link CapRenderFunction}).
     */
    public record Received(int revision, long detectedTs) {
        public static Received of(AlertRevision r) {
            return new Received(r.revision(), r.detectedTs());
        }
    }

    /** The document of {@code r} for a recipient that has received no document of this alert before. */
    public static String render(AlertRevision r, String recipient) {
        return render(r, recipient, null);
    }

    /**
     * The document of {@code r} for {@code recipient}.
     *
     * @param previous the document of the same alert that {@code recipient} received last, or null
     *     when it received none: an UPDATE is then its first document, an Alert
     */
    public static String render(AlertRevision r, String recipient, Received previous) {
        if (recipient == null || recipient.isEmpty()) {
            throw new IllegalArgumentException("recipient is missing");
        }
        if (previous != null && previous.revision() >= r.revision()) {
            throw new IllegalArgumentException("the previous document of " + r.alertId() + " to " + recipient
                    + " must be of an earlier revision than " + r.revision() + ", not " + previous.revision());
        }
        MsgType type = r.msgType() == MsgType.UPDATE && previous == null ? MsgType.ALERT : r.msgType();
        StringBuilder x = new StringBuilder(2048);
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<alert xmlns=\"").append(NAMESPACE).append("\">\n");
        element(x, 1, "identifier", identifier(r.alertId(), r.revision(), recipient));
        element(x, 1, "sender", SENDER);
        element(x, 1, "sent", time(r.detectedTs()));
        element(x, 1, "status", "Actual");
        element(x, 1, "msgType", msgType(type));
        element(x, 1, "scope", "Restricted");
        element(x, 1, "restriction", "仅限收件方：" + recipientName(recipient) + "（" + recipient + "）");
        element(x, 1, "addresses", capToken(recipient));
        if (type != MsgType.ALERT && previous != null) {
            element(x, 1, "references", SENDER + ',' + identifier(r.alertId(), previous.revision(), recipient)
                    + ',' + time(previous.detectedTs()));
        }
        element(x, 1, "incidents", incidents(r));

        List<String> areaCodes = areaCodes(r);
        String event = event(r, Summaries.subjectName(r.subject()));

        open(x, 1, "info");
        element(x, 2, "language", "zh-CN");
        element(x, 2, "category", isCyber(r) ? "Security" : Summaries.capCategory(r.subject()));
        element(x, 2, "event", event);
        element(x, 2, "urgency", "Immediate");
        element(x, 2, "severity", severity(r.severity()));
        element(x, 2, "certainty", "Likely");
        if (r.evidence().length > 0) {
            element(x, 2, "onset", time(r.firstEventTs()));
        }
        element(x, 2, "senderName", SENDER_NAME);
        element(x, 2, "headline", headline(type, event, areaCodes));
        element(x, 2, "description", description(r));
        parameter(x, "alertId", r.alertId());
        parameter(x, "revision", Integer.toString(r.revision()));
        parameter(x, "kind", r.kind().name());
        parameter(x, "ruleId", r.ruleId());
        if (r.ruleVersion() != null) {
            parameter(x, "ruleVersion", r.ruleVersion());
        }
        parameter(x, "evidenceCount", Integer.toString(r.evidenceCount()));
        if (isCyber(r)) {
            parameter(x, "lossCny", String.format(Locale.ROOT, "%.2f", r.lossCny()));
        }
        open(x, 2, "area");
        element(x, 3, "areaDesc", areaDesc(areaCodes));
        if (r.hasLocation()) {
            element(x, 3, "circle", decimal(r.lat(), 6) + ',' + decimal(r.lon(), 6) + ' ' + decimal(r.radiusKm(), 3));
        }
        for (String code : areaCodes) {
            open(x, 3, "geocode");
            element(x, 4, "valueName", GEOCODE);
            element(x, 4, "value", code);
            close(x, 3, "geocode");
        }
        close(x, 2, "area");
        close(x, 1, "info");
        x.append("</alert>\n");
        return x.toString();
    }

    /**
     * The replay file name of the document, {@code <alertId>_<revision>_<recipient>.xml}, with every
     * character but ASCII letters, digits, {@code .}, {@code _} and {@code -} replaced by {@code -}.
     * An alert id too long for a file name is cut and followed by a digest of the whole id.
     */
    public static String fileName(AlertRevision r, String recipient) {
        String id = fileSafe(r.alertId());
        if (id.length() > MAX_FILE_ID) {
            id = id.substring(0, MAX_FILE_ID - 17) + '-' + digest(r.alertId());
        }
        return id + '_' + r.revision() + '_' + fileSafe(recipient) + ".xml";
    }

    /** The CAP identifier of one revision to one recipient. */
    static String identifier(String alertId, int revision, String recipient) {
        return capToken(alertId + '#' + revision + '#' + recipient);
    }

    private static String time(long epochMillis) {
        return CAP_TIME.format(Instant.ofEpochSecond(Math.floorDiv(epochMillis, 1000L)));
    }

    private static String msgType(MsgType t) {
        return switch (t) {
            case ALERT -> "Alert";
            case UPDATE -> "Update";
            case CANCEL -> "Cancel";
        };
    }

    private static String severity(Severity s) {
        return switch (s) {
            case CRITICAL -> "Extreme";
            case HIGH -> "Severe";
            case MEDIUM -> "Moderate";
            case LOW -> "Minor";
        };
    }

    private static String incidents(AlertRevision r) {
        Set<String> ids = new LinkedHashSet<>();
        ids.add(capToken(r.alertId()));
        for (String ref : r.references()) {
            ids.add(capToken(ref));
        }
        return String.join(" ", ids);
    }

    private static String recipientName(String recipient) {
        if (Revisions.REGIONAL_CENTRE.equals(recipient)) {
            return REGIONAL_CENTRE_NAME;
        }
        String name = placeName(recipient);
        return name == null ? recipient : name;
    }

    /** Cyber as AlertJson writes it (identifiers, loss), or an escalation of a cyber rule's alert. */
    private static boolean isCyber(AlertRevision r) {
        return AlertJson.isCyber(r) || rule(r).startsWith("CYB-");
    }

    /** The rule behind the alert: for an escalation, the escalated alert's. */
    private static String rule(AlertRevision r) {
        if (r.kind() == AlertKind.ESCALATION && r.references().length > 0) {
            String escalated = r.references()[0];
            int colon = escalated.indexOf(':');
            return colon < 0 ? escalated : escalated.substring(0, colon);
        }
        return r.ruleId() == null ? "" : r.ruleId();
    }

    private static String event(AlertRevision r, String hazard) {
        String h = hazard == null ? "" : hazard;
        String rule = rule(r);
        String what;
        if (rule.startsWith("INC-CASCADE")) {
            what = h + "传感器超限并伴随110警情";
        } else if (rule.startsWith("INC-SPREAD")) {
            what = h + "超限多省同时出现";
        } else if (rule.startsWith("INC-CLUSTER")) {
            what = h.isEmpty() ? "跨省110警情聚集" : "跨省" + h + "类110警情聚集";
        } else if (rule.startsWith("CYB-LINK")) {
            what = "跨省电信网络诈骗串案";
        } else if (rule.startsWith("CYB-BURST")) {
            what = "涉诈账号/号码集中被报案";
        } else if (isCyber(r)) {
            what = "电信网络诈骗预警";
        } else {
            what = h + "联动事件预警";
        }
        return r.kind() == AlertKind.ESCALATION ? "预警超时未签收升级：" + what : what;
    }

    private static String headline(MsgType type, String event, List<String> areaCodes) {
        String prefix = type == MsgType.UPDATE ? "【更新】" : type == MsgType.CANCEL ? "【撤销】" : "";
        if (areaCodes.isEmpty()) {
            return prefix + event;
        }
        String first = placeName(areaCodes.get(0));
        String where = (first == null ? areaCodes.get(0) : first)
                + (areaCodes.size() > 1 ? "等" + areaCodes.size() + "地" : "");
        return prefix + event + "（" + where + "）";
    }

    private static String description(AlertRevision r) {
        String summary = r.summary() == null ? "" : r.summary();
        if (!isCyber(r) || r.identifiers().length == 0) {
            return summary;
        }
        for (String masked : r.identifiers()) {
            if (!summary.contains(masked)) {
                return summary + "\n涉案标识（已脱敏）：" + String.join("、", r.identifiers());
            }
        }
        return summary;
    }

    /** The alert's city codes. */
    private static List<String> areaCodes(AlertRevision r) {
        List<String> codes = new ArrayList<>();
        for (String c : r.cities()) {
            if (c.length() == 6 && c.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                codes.add(c);
            }
        }
        return codes;
    }

    private static String areaDesc(List<String> codes) {
        if (codes.isEmpty()) {
            return "长江三角洲区域";
        }
        StringBuilder sb = new StringBuilder();
        for (String code : codes) {
            if (sb.length() > 0) {
                sb.append('、');
            }
            String name = placeName(code);
            sb.append(name == null ? code : name);
        }
        return sb.toString();
    }

    /** The Chinese name of a city or province code, or null when the region does not know it. */
    private static String placeName(String code) {
        int c;
        try {
            c = Integer.parseInt(code);
        } catch (NumberFormatException e) {
            return null;
        }
        if (c % 10000 == 0) {
            City capital = Region.get().city(c + 100);
            return capital == null ? null : capital.provinceName();
        }
        City city = Region.get().city(c);
        return city == null ? null : city.name();
    }

    private static String decimal(double v, int scale) {
        return BigDecimal.valueOf(v).setScale(scale, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /**
     * A value usable where CAP wants space-separated tokens (identifier, references, addresses,
     * incidents): whitespace, controls, {@code ,}, {@code <}, {@code &} and {@code %} percent-encoded.
     */
    private static String capToken(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            if (cp <= 0x20 || cp == 0x7f || cp == ',' || cp == '<' || cp == '&' || cp == '%'
                    || Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                for (byte b : s.substring(i, i + n).getBytes(StandardCharsets.UTF_8)) {
                    sb.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
                }
            } else {
                sb.appendCodePoint(cp);
            }
            i += n;
        }
        return sb.toString();
    }

    private static String fileSafe(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            sb.append(safe ? c : '-');
        }
        return sb.toString();
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder(16);
            for (int i = 0; i < 8; i++) {
                sb.append(Character.forDigit((d[i] >> 4) & 0xf, 16)).append(Character.forDigit(d[i] & 0xf, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void parameter(StringBuilder x, String name, String value) {
        open(x, 2, "parameter");
        element(x, 3, "valueName", name);
        element(x, 3, "value", value);
        close(x, 2, "parameter");
    }

    private static void open(StringBuilder x, int depth, String name) {
        indent(x, depth).append('<').append(name).append(">\n");
    }

    private static void close(StringBuilder x, int depth, String name) {
        indent(x, depth).append("</").append(name).append(">\n");
    }

    private static void element(StringBuilder x, int depth, String name, String text) {
        indent(x, depth).append('<').append(name).append('>');
        escape(x, text == null ? "" : text);
        x.append("</").append(name).append(">\n");
    }

    private static StringBuilder indent(StringBuilder x, int depth) {
        for (int i = 0; i < depth; i++) {
            x.append("  ");
        }
        return x;
    }

    /** Character data: markup escaped, characters XML 1.0 cannot carry replaced by U+FFFD. */
    private static void escape(StringBuilder x, String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '&':
                    x.append("&amp;");
                    break;
                case '<':
                    x.append("&lt;");
                    break;
                case '>':
                    x.append("&gt;");
                    break;
                case '\r':
                    x.append("&#13;");
                    break;
                default:
                    boolean legal = cp == '\t' || cp == '\n' || (cp >= 0x20 && cp <= 0xD7FF)
                            || (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
                    x.appendCodePoint(legal ? cp : 0xFFFD);
            }
        }
    }
}
