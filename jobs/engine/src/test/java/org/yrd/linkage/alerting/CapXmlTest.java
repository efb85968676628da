package org.yrd.linkage.alerting;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.yrd.linkage.alerting.CapXml.Received;
import org.yrd.linkage.chain.Revisions;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.alert.MsgType;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.chain.Chain;
import org.yrd.linkage.model.StreamKind;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * CAP 1.2 documents of alert records (contracts/README.md, "CAP 1.2 mapping"): every kind and
 * message type, for every recipient, valid against the OASIS schema, with the mapped values read
 * back from the XML.
 */
class CapXmlTest {

    private static final String CAP = "urn:oasis:names:tc:emergency:cap:1.2";
    /** 2026-07-01T12:00:00Z, which is 20:00:00 in China. */
    private static final long T0 = 1_782_907_200_000L;
    private static final long MINUTE = 60_000L;
    private static final String VERSION = "1";
    private static final org.yrd.linkage.rules.RulePack PACK_V = org.yrd.linkage.rules.RulePack.defaults();
    private static final long WITHDRAWN_BY = T0 - MINUTE;

    private static Schema schema;

    // INC-CASCADE on a gas sensor in Suzhou, calls from Suzhou and Jiaxing, later Shanghai; then withdrawn
    // when a breach stamped a minute before it (WITHDRAWN_BY) arrived late.
    private static AlertRevision incidentAlert;
    private static AlertRevision incidentUpdate;
    private static AlertRevision incidentWithdrawal;
    // CYB-LINK across three provinces, then merged into another case.
    private static AlertRevision linkAlert;
    private static AlertRevision linkUpdate;
    private static AlertRevision linkCancel;
    // CYB-BURST within Jiangsu.
    private static AlertRevision burstAlert;
    private static AlertRevision burstUpdate;
    // ESC-ACK of the incident to Jiangsu, following its update; and of the fraud case to Zhejiang.
    private static AlertRevision escalation;
    private static AlertRevision escalationUpdate;
    private static AlertRevision cyberEscalation;
    // Other hazards: water quality spreading over two provinces, flood calls clustering.
    private static AlertRevision spreadWaterQuality;
    private static AlertRevision clusterFlood;

    @BeforeAll
    static void build() throws SAXException {
        schema = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(capSchema().toFile());

        Chain incident = chain("INC-CASCADE", AlertKind.INCIDENT_CHAIN, "r1", "GAS", Severity.CRITICAL,
                ev(StreamKind.SENSOR, "r1", T0, 320500),
                ev(StreamKind.CALL, "c1", T0 + MINUTE, 320500),
                ev(StreamKind.CALL, "c2", T0 + 2 * MINUTE, 320500),
                ev(StreamKind.CALL, "c3", T0 + 3 * MINUTE + 789, 330400));
        incident.hasLocation = true;
        incident.lat = 31.2989;
        incident.lon = 120.5853;
        incident.radiusKm = 15;
        incidentAlert = Revisions.of(incident, 1, MsgType.ALERT, PACK_V, null);
        incident.add(ev(StreamKind.CALL, "c4", T0 + 4 * MINUTE, 310100));
        incident.recordFirstSent();
        incidentUpdate = Revisions.of(incident, 2, MsgType.UPDATE, PACK_V, null);
        incidentWithdrawal = Revisions.withdrawal(incidentUpdate, 3, VERSION, new String[] {"310000", "320000", "330000"}, WITHDRAWN_BY);

        Chain link = chain("CYB-LINK", AlertKind.CYBER_CHAIN, "f1", "TELECOM", Severity.CRITICAL,
                ev(StreamKind.FRAUD, "f1", T0, 320500),
                ev(StreamKind.FRAUD, "f2", T0 + 60 * MINUTE, 330100));
        link.addIdentifier("PHONE:139****5678");
        link.addIdentifier("BANK_ACCOUNT:622****7890");
        link.lossCny = 1_250_000.5;
        linkAlert = Revisions.of(link, 1, MsgType.ALERT, PACK_V, null);
        link.add(ev(StreamKind.FRAUD, "f3", T0 + 120 * MINUTE, 340100));
        link.recordFirstSent();
        linkUpdate = Revisions.of(link, 2, MsgType.UPDATE, PACK_V, null);
        link.cancelled = true;
        link.mergedInto = "CYB-LINK:f0";
        link.cancelledTs = T0 + 180 * MINUTE;
        linkCancel = Revisions.of(link, 3, MsgType.CANCEL, PACK_V, new String[] {"320000", "330000", "340000"});

        Chain burst = chain("CYB-BURST", AlertKind.CYBER_BURST, "b1", "PHONE", Severity.HIGH,
                ev(StreamKind.FRAUD, "b1", T0, 320500), ev(StreamKind.FRAUD, "b2", T0 + MINUTE, 320500),
                ev(StreamKind.FRAUD, "b3", T0 + 2 * MINUTE, 320100), ev(StreamKind.FRAUD, "b4", T0 + 3 * MINUTE, 320500),
                ev(StreamKind.FRAUD, "b5", T0 + 4 * MINUTE, 320500));
        burst.addIdentifier("PHONE:177****0000");
        burst.lossCny = 52_000;
        burstAlert = Revisions.of(burst, 1, MsgType.ALERT, PACK_V, null);
        burst.add(ev(StreamKind.FRAUD, "b6", T0 + 5 * MINUTE, 320500));
        burstUpdate = Revisions.of(burst, 2, MsgType.UPDATE, PACK_V, null);

        escalation = Revisions.escalation(incidentAlert, "320000", 1, true, incidentAlert.detectedTs() + 5 * MINUTE, 5);
        escalationUpdate = Revisions.escalation(incidentUpdate, "320000", 2, false, incidentAlert.detectedTs() + 5 * MINUTE, 5);
        cyberEscalation = Revisions.escalation(linkAlert, "330000", 1, true, linkAlert.detectedTs() + 5 * MINUTE, 5);

        Chain spread = chain("INC-SPREAD", AlertKind.INCIDENT_CHAIN, "w1", "WATER_QUALITY", Severity.CRITICAL,
                ev(StreamKind.SENSOR, "w1", T0, 320500), ev(StreamKind.SENSOR, "w2", T0 + MINUTE, 310100));
        spread.hasLocation = true;
        spread.lat = 31.1;
        spread.lon = 121.0;
        spread.radiusKm = 50;
        spreadWaterQuality = Revisions.of(spread, 1, MsgType.ALERT, PACK_V, null);

        Chain cluster = chain("INC-CLUSTER", AlertKind.INCIDENT_CHAIN, "k1", "FLOOD", Severity.HIGH,
                ev(StreamKind.CALL, "k1", T0, 340500), ev(StreamKind.CALL, "k2", T0, 340500),
                ev(StreamKind.CALL, "k3", T0, 340500), ev(StreamKind.CALL, "k4", T0, 320100),
                ev(StreamKind.CALL, "k5", T0 + MINUTE, 320100));
        cluster.hasLocation = true;
        cluster.lat = 31.7;
        cluster.lon = 118.6;
        cluster.radiusKm = 10;
        clusterFlood = Revisions.of(cluster, 1, MsgType.ALERT, PACK_V, null);
    }

    private static List<AlertRevision> all() {
        return List.of(incidentAlert, incidentUpdate, incidentWithdrawal, linkAlert, linkUpdate, linkCancel,
                burstAlert, burstUpdate, escalation, escalationUpdate, cyberEscalation, spreadWaterQuality, clusterFlood);
    }

    @Test
    void everyRecordOfEveryKindAndMsgTypeIsValidCapForEachRecipient() {
        Set<AlertKind> kinds = EnumSet.noneOf(AlertKind.class);
        Set<MsgType> types = EnumSet.noneOf(MsgType.class);
        List<String> recipients = new ArrayList<>();
        for (AlertRevision r : all()) {
            for (String recipient : r.recipients()) {
                assertValid(CapXml.render(r, recipient), r.alertId() + " revision " + r.revision() + " to " + recipient);
                kinds.add(r.kind());
                types.add(r.msgType());
                recipients.add(recipient);
            }
        }
        assertValid(CapXml.render(incidentUpdate, "320000", Received.of(incidentAlert)), "update with its previous revision");
        assertValid(CapXml.render(incidentWithdrawal, "320000", Received.of(incidentUpdate)), "withdrawal with its previous revision");
        assertValid(CapXml.render(linkCancel, "330000", Received.of(linkUpdate)), "merge cancel with its previous revision");
        assertThat(kinds).containsExactlyInAnyOrder(AlertKind.values());
        assertThat(types).containsExactlyInAnyOrder(MsgType.values());
        assertThat(recipients).contains("310000", "320000", "330000", "340000", "YRD");
    }

    @Test
    void schemaCheckRejectsWhatCapForbids() {
        String xml = CapXml.render(incidentAlert, "320000");
        assertThat(invalid(xml.replace("+08:00</sent>", ".789+08:00</sent>"))).as("fractional seconds").isTrue();
        assertThat(invalid(xml.replace("<status>Actual</status>", "<status>Real</status>"))).as("unknown status").isTrue();
        assertThat(invalid(xml.replaceFirst("(?s)(<circle>.*?</circle>\\n)(.*?</geocode>\\n)", "$2$1"))).as("circle after geocode").isTrue();
        assertThat(invalid(xml)).isFalse();
    }

    @Test
    void headerIdentifiesTheRevisionAndRecipientAndIsRestrictedToIt() {
        Document d = parse(CapXml.render(incidentUpdate, "330000"));
        assertThat(text(d, "identifier")).isEqualTo("INC-CASCADE:r1#2#330000");
        assertThat(text(d, "sender")).isEqualTo("yrd-linkage@yrd.gov.cn");
        assertThat(text(d, "status")).isEqualTo("Actual");
        assertThat(text(d, "scope")).isEqualTo("Restricted");
        assertThat(text(d, "restriction")).contains("浙江省").contains("330000");
        assertThat(text(d, "addresses")).isEqualTo("330000");
        assertThat(text(d, "incidents")).isEqualTo("INC-CASCADE:r1");
        assertThat(text(d, "language")).isEqualTo("zh-CN");
        assertThat(text(d, "urgency")).isEqualTo("Immediate");
        assertThat(text(d, "certainty")).isEqualTo("Likely");

        Document yrd = parse(CapXml.render(escalation, "YRD"));
        assertThat(text(yrd, "restriction")).contains("长三角联合指挥中心");
        assertThat(text(yrd, "incidents")).isEqualTo("ESC-ACK:INC-CASCADE:r1:320000 INC-CASCADE:r1");
    }

    @Test
    void sentIsTheDetectionTimeInChinaTimeWithoutFractionNeverTheEmissionTime() {
        // incidentAlert was detected at T0 + 3 min + 789 ms, i.e. 20:03:00.789 in China.
        assertThat(incidentAlert.detectedTs()).isEqualTo(T0 + 3 * MINUTE + 789);
        Document d = parse(CapXml.render(incidentAlert, "320000"));
        assertThat(text(d, "sent")).isEqualTo("2026-07-01T20:03:00+08:00");
        assertThat(text(d, "onset")).isEqualTo("2026-07-01T20:00:00+08:00");
        assertThat(text(parse(CapXml.render(escalation, "YRD")), "sent")).isEqualTo("2026-07-01T20:08:00+08:00");
    }

    @Test
    void cancelIsSentAtTheTsOfTheEventThatCausedItNeverAtZero() {
        // merged into CYB-LINK:f0 by a report stamped T0 + 180 min
        assertThat(text(parse(CapXml.render(linkCancel, "320000", Received.of(linkUpdate))), "sent"))
                .isEqualTo("2026-07-01T23:00:00+08:00");
        // withdrawn when a breach stamped a minute before the anchor arrived late
        assertThat(incidentWithdrawal.detectedTs()).isEqualTo(WITHDRAWN_BY);
        assertThat(text(parse(CapXml.render(incidentWithdrawal, "320000", Received.of(incidentUpdate))), "sent"))
                .isEqualTo("2026-07-01T19:59:00+08:00");
        for (AlertRevision r : all()) {
            for (String recipient : r.recipients()) {
                assertThat(text(parse(CapXml.render(r, recipient)), "sent")).as(r.alertId() + " " + r.msgType()).doesNotStartWith("1970");
            }
        }
    }

    @Test
    void msgTypeFollowsTheRecordForARecipientThatHoldsAnEarlierDocument() {
        assertThat(msgType(incidentAlert, "320000", null)).isEqualTo("Alert");
        assertThat(msgType(incidentUpdate, "320000", incidentAlert)).isEqualTo("Update");
        assertThat(msgType(linkCancel, "320000", linkUpdate)).isEqualTo("Cancel");
        assertThat(msgType(incidentWithdrawal, "320000", incidentUpdate)).isEqualTo("Cancel");
    }

    @Test
    void lateJoiningProvincesFirstDocumentIsAnAlertWithoutReferencesEvenAtALaterRevision() {
        // Shanghai joined the incident with revision 2; Jiangsu had revision 1
        assertThat(incidentUpdate.revision()).isEqualTo(2);
        Document joiner = parse(CapXml.render(incidentUpdate, "310000", null));
        assertThat(text(joiner, "msgType")).isEqualTo("Alert");
        assertThat(texts(joiner, "references")).isEmpty();
        assertThat(text(joiner, "identifier")).isEqualTo("INC-CASCADE:r1#2#310000");
        assertThat(text(joiner, "headline")).doesNotContain("【更新】");

        Document holder = parse(CapXml.render(incidentUpdate, "320000", Received.of(incidentAlert)));
        assertThat(text(holder, "msgType")).isEqualTo("Update");
        assertThat(text(holder, "headline")).startsWith("【更新】");
    }

    @Test
    void escalationsFirstRevisionIsAnAlertAndItsLaterOnesUpdates() {
        assertThat(escalation.msgType()).isEqualTo(MsgType.ALERT);
        for (String recipient : escalation.recipients()) {
            assertThat(msgType(escalation, recipient, null)).isEqualTo("Alert");
            Document update = parse(CapXml.render(escalationUpdate, recipient, Received.of(escalation)));
            assertThat(text(update, "msgType")).isEqualTo("Update");
            assertThat(text(update, "references"))
                    .isEqualTo("yrd-linkage@yrd.gov.cn,ESC-ACK:INC-CASCADE:r1:320000#1#" + recipient + ",2026-07-01T20:08:00+08:00");
        }
    }

    @Test
    void referencesNameTheDocumentThisRecipientReceivedLastNotTheRevisionBefore() {
        // after a restore revision numbers skip ahead (Generations): revision 1002 follows 1
        AlertRevision afterRestore = copyRevision(incidentUpdate, 1002);
        assertThat(text(parse(CapXml.render(afterRestore, "320000", Received.of(incidentAlert))), "references"))
                .isEqualTo("yrd-linkage@yrd.gov.cn,INC-CASCADE:r1#1#320000,2026-07-01T20:03:00+08:00");
        // the withdrawal references, for each recipient, the sender, identifier and sent of what it holds
        Document cancel = parse(CapXml.render(linkCancel, "340000", Received.of(linkUpdate)));
        Document held = parse(CapXml.render(linkUpdate, "340000", null));
        assertThat(text(cancel, "references")).isEqualTo(
                text(held, "sender") + "," + text(held, "identifier") + "," + text(held, "sent"));
        assertThat(text(cancel, "incidents")).isEqualTo("CYB-LINK:f1 CYB-LINK:f0");
    }

    @Test
    void renderFunctionKeepsPerRecipientWhatItReceivedSoEachThreadIsExact() throws Exception {
        // Jiangsu and Zhejiang received revision 1, Shanghai joined with 2; all three get the withdrawal.
        List<String> docs = new ArrayList<>();
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new CapRenderFunction(Duration.ofDays(8))),
                AlertRevision::alertId, Types.STRING)) {
            h.open();
            for (AlertRevision r : List.of(incidentAlert, incidentUpdate, incidentWithdrawal)) {
                h.processElement(r, r.detectedTs());
            }
            for (CapDocument c : h.extractOutputValues()) {
                assertValid(c.xml(), c.fileName());
                Document d = parse(c.xml());
                List<String> refs = texts(d, "references");
                docs.add(text(d, "identifier") + " " + text(d, "msgType") + (refs.isEmpty() ? "" : " -> " + refs.get(0)));
            }
        }
        String sender = "yrd-linkage@yrd.gov.cn,";
        assertThat(docs).containsExactly(
                "INC-CASCADE:r1#1#320000 Alert",
                "INC-CASCADE:r1#1#330000 Alert",
                "INC-CASCADE:r1#2#310000 Alert",
                "INC-CASCADE:r1#2#320000 Update -> " + sender + "INC-CASCADE:r1#1#320000,2026-07-01T20:03:00+08:00",
                "INC-CASCADE:r1#2#330000 Update -> " + sender + "INC-CASCADE:r1#1#330000,2026-07-01T20:03:00+08:00",
                "INC-CASCADE:r1#3#310000 Cancel -> " + sender + "INC-CASCADE:r1#2#310000,2026-07-01T20:04:00+08:00",
                "INC-CASCADE:r1#3#320000 Cancel -> " + sender + "INC-CASCADE:r1#2#320000,2026-07-01T20:04:00+08:00",
                "INC-CASCADE:r1#3#330000 Cancel -> " + sender + "INC-CASCADE:r1#2#330000,2026-07-01T20:04:00+08:00");
    }

    @Test
    void alertsReferToNothingAndACancelWithoutAKnownPredecessorGuessesNone() {
        assertThat(texts(parse(CapXml.render(incidentAlert, "320000")), "references")).isEmpty();
        assertThat(texts(parse(CapXml.render(escalation, "YRD")), "references")).isEmpty();
        Document cancel = parse(CapXml.render(linkCancel, "320000", null));
        assertThat(text(cancel, "msgType")).isEqualTo("Cancel");
        assertThat(texts(cancel, "references")).isEmpty();
    }

    @Test
    void previousDocumentNotEarlierThanTheRevisionIsRejected() {
        assertThatThrownBy(() -> CapXml.render(linkUpdate, "320000", Received.of(linkCancel)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CYB-LINK:f1").hasMessageContaining("320000");
        assertThatThrownBy(() -> CapXml.render(linkUpdate, "320000", Received.of(linkUpdate)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void severityMapsToCapSeverity() {
        assertThat(text(parse(CapXml.render(incidentAlert, "320000")), "severity")).isEqualTo("Extreme");
        assertThat(text(parse(CapXml.render(burstAlert, "320000")), "severity")).isEqualTo("Severe");
        assertThat(text(parse(CapXml.render(copy(burstAlert, Severity.MEDIUM, 0), "320000")), "severity")).isEqualTo("Moderate");
        assertThat(text(parse(CapXml.render(copy(burstAlert, Severity.LOW, 0), "320000")), "severity")).isEqualTo("Minor");
        // a withdrawal repeats the severity of what it withdraws
        assertThat(text(parse(CapXml.render(incidentWithdrawal, "320000", Received.of(incidentUpdate))), "severity")).isEqualTo("Extreme");
    }

    @Test
    void categoryIsSecurityForCyberAlertsAndFollowsTheHazardOtherwise() {
        assertThat(category(linkAlert, "320000")).isEqualTo("Security");
        assertThat(category(linkCancel, "320000")).isEqualTo("Security");
        assertThat(category(burstAlert, "320000")).isEqualTo("Security");
        assertThat(category(cyberEscalation, "YRD")).isEqualTo("Security");
        assertThat(category(incidentAlert, "320000")).isEqualTo("Fire");
        assertThat(category(escalation, "YRD")).isEqualTo("Fire");
        assertThat(category(spreadWaterQuality, "310000")).isEqualTo("Env");
        assertThat(category(clusterFlood, "340000")).isEqualTo("Safety");
        // a withdrawal repeats the hazard of what it withdraws
        assertThat(category(incidentWithdrawal, "320000")).isEqualTo("Fire");
    }

    @Test
    void eventAndHeadlineAreShortChineseTextNamingTheHazard() {
        Document d = parse(CapXml.render(incidentUpdate, "320000", Received.of(incidentAlert)));
        assertThat(text(d, "event")).isEqualTo("燃气传感器超限并伴随110警情");
        assertThat(text(d, "headline")).isEqualTo("【更新】燃气传感器超限并伴随110警情（上海市等3地）");
        assertThat(text(parse(CapXml.render(escalation, "YRD")), "event")).startsWith("预警超时未签收升级：燃气");
        assertThat(text(parse(CapXml.render(clusterFlood, "340000")), "event")).isEqualTo("跨省洪涝类110警情聚集");
        assertThat(text(parse(CapXml.render(linkCancel, "340000")), "headline")).startsWith("【撤销】跨省电信网络诈骗串案");
        for (AlertRevision r : all()) {
            assertThat(text(parse(CapXml.render(r, r.recipients()[0])), "headline")).hasSizeLessThan(160);
        }
    }

    @Test
    void areaNamesTheCitiesInChineseWithOneGeocodePerCityAndACircleForIncidents() {
        Document d = parse(CapXml.render(incidentUpdate, "310000"));
        assertThat(text(d, "areaDesc")).isEqualTo("上海市、苏州市、嘉兴市");
        assertThat(geocodes(d)).containsExactly("GB/T 2260=310100", "GB/T 2260=320500", "GB/T 2260=330400");
        assertThat(text(d, "circle")).isEqualTo("31.2989,120.5853 15");
        assertThat(text(parse(CapXml.render(spreadWaterQuality, "320000")), "circle")).isEqualTo("31.1,121 50");

        Document cyber = parse(CapXml.render(linkUpdate, "340000"));
        assertThat(text(cyber, "areaDesc")).isEqualTo("苏州市、杭州市、合肥市");
        assertThat(geocodes(cyber)).containsExactly("GB/T 2260=320500", "GB/T 2260=330100", "GB/T 2260=340100");
        assertThat(texts(cyber, "circle")).isEmpty();

        Document esc = parse(CapXml.render(escalation, "YRD"));
        assertThat(text(esc, "areaDesc")).isEqualTo("苏州市、嘉兴市");
        assertThat(texts(esc, "circle")).containsExactly("31.2989,120.5853 15");
    }

    @Test
    void withdrawalRepeatsTheAreaAndEvidenceOfTheWithdrawnRevision() {
        Document d = parse(CapXml.render(incidentWithdrawal, "330000", Received.of(incidentUpdate)));
        assertThat(text(d, "areaDesc")).isEqualTo("上海市、苏州市、嘉兴市");
        assertThat(geocodes(d)).containsExactly("GB/T 2260=310100", "GB/T 2260=320500", "GB/T 2260=330400");
        assertThat(texts(d, "circle")).containsExactly("31.2989,120.5853 15");
        assertThat(text(d, "onset")).isEqualTo("2026-07-01T20:00:00+08:00");
        assertThat(parameter(d, "evidenceCount")).isEqualTo("5");
        assertThat(text(d, "headline")).startsWith("【撤销】燃气传感器超限并伴随110警情");
        assertThat(text(d, "description")).startsWith("【撤回：").contains(incidentUpdate.summary());
        assertThat(text(d, "references"))
                .isEqualTo("yrd-linkage@yrd.gov.cn,INC-CASCADE:r1#2#330000,2026-07-01T20:04:00+08:00");
    }

    @Test
    void descriptionIsTheSummaryNamingCitiesInChineseWithMaskedIdentifiersOnly() {
        Document incident = parse(CapXml.render(incidentAlert, "330000"));
        assertThat(text(incident, "description")).isEqualTo(incidentAlert.summary()).contains("苏州市", "嘉兴市");

        Document link = parse(CapXml.render(linkAlert, "320000"));
        assertThat(text(link, "description"))
                .startsWith(linkAlert.summary())
                .contains("苏州市", "杭州市", "PHONE:139****5678", "BANK_ACCOUNT:622****7890");
        assertThat(parameter(link, "lossCny")).isEqualTo("1250000.50");
        assertThat(parameter(link, "kind")).isEqualTo("CYBER_CHAIN");

        // CYB-BURST's summary names its identifier already; it is not repeated.
        String burst = text(parse(CapXml.render(burstAlert, "320000")), "description");
        assertThat(burst).isEqualTo(burstAlert.summary()).containsOnlyOnce("PHONE:177****0000");
        assertThat(parameter(parse(CapXml.render(incidentAlert, "320000")), "lossCny")).isNull();
    }

    @Test
    void sameInputRendersByteIdenticallyWhateverTheEmissionTime() {
        for (AlertRevision r : all()) {
            for (String recipient : r.recipients()) {
                String first = CapXml.render(r, recipient);
                assertThat(CapXml.render(r, recipient)).isEqualTo(first);
                assertThat(CapXml.render(copy(r, r.severity(), r.emittedAt() + 86_400_000L), recipient)).isEqualTo(first);
            }
        }
        assertThat(CapXml.render(linkCancel, "320000", Received.of(linkUpdate)))
                .isEqualTo(CapXml.render(copy(linkCancel, linkCancel.severity(), 0), "320000", Received.of(copy(linkUpdate, linkUpdate.severity(), 0))));
    }

    @Test
    void markupAndCapSeparatorsInIdsAndSummariesAreEscaped() {
        AlertRevision r = new AlertRevision("INC-CLUSTER:call 7,<&>%", 2, MsgType.UPDATE, AlertKind.INCIDENT_CHAIN,
                "INC-CLUSTER", VERSION, Severity.HIGH, new String[] {"320000"}, new String[] {"320000"},
                new String[] {"320500"}, new Evidence[] {ev(StreamKind.CALL, "call 7,<&>%", T0, 320500)}, 1,
                T0, T0, T0, 0, new String[0], new String[0], 0, false, 0, 0, 0,
                "暴力 <b>&amp; \"引号\" ]]> \u0001 end", "VIOLENCE", new String[0], new long[0], new Severity[0], new long[0], false);
        String xml = CapXml.render(r, "320000", new Received(1, T0));
        assertValid(xml, "hostile ids");
        Document d = parse(xml);
        assertThat(text(d, "identifier")).isEqualTo("INC-CLUSTER:call%207%2C%3C%26>%25#2#320000").doesNotContain(" ", ",", "<", "&");
        assertThat(text(d, "references")).isEqualTo("yrd-linkage@yrd.gov.cn,INC-CLUSTER:call%207%2C%3C%26>%25#1#320000,2026-07-01T20:00:00+08:00");
        assertThat(text(d, "references").split(",")).hasSize(3);
        assertThat(text(d, "incidents")).doesNotContain(" ");
        assertThat(text(d, "description")).isEqualTo("暴力 <b>&amp; \"引号\" ]]> \uFFFD end");
        assertThat(parameter(d, "alertId")).isEqualTo("INC-CLUSTER:call 7,<&>%");
    }

    @Test
    void fileNameIsTheRecordKeyWithUnsafeCharactersReplaced() {
        assertThat(CapXml.fileName(incidentUpdate, "320000")).isEqualTo("INC-CASCADE-r1_2_320000.xml");
        assertThat(CapXml.fileName(escalation, "YRD")).isEqualTo("ESC-ACK-INC-CASCADE-r1-320000_1_YRD.xml");
        AlertRevision odd = copyId(incidentAlert, "INC-CASCADE:a/b\\c#d?e*f|g\"h<i>j k:苏州");
        assertThat(CapXml.fileName(odd, "330000")).isEqualTo("INC-CASCADE-a-b-c-d-e-f-g-h-i-j-k---_1_330000.xml");

        String longId = "CYB-LINK:" + "x".repeat(400);
        String name = CapXml.fileName(copyId(linkAlert, longId), "320000");
        assertThat(name).hasSizeLessThan(200).matches("[A-Za-z0-9._-]+").endsWith("_1_320000.xml");
        assertThat(CapXml.fileName(copyId(linkAlert, longId + "y"), "320000")).isNotEqualTo(name);
    }

    @Test
    void evidenceCountParameterCountsEveryEventAlsoThoseTheRevisionNoLongerLists() {
        Chain c = chain("INC-CLUSTER", AlertKind.INCIDENT_CHAIN, "k0", "FLOOD", Severity.HIGH, ev(StreamKind.CALL, "k0", T0, 320500));
        for (int i = 1; i <= 300; i++) {
            c.add(ev(StreamKind.CALL, "k" + i, T0 + i, i % 2 == 0 ? 320500 : 310100));
        }
        c.recordFirstSent();
        AlertRevision r = Revisions.of(c, 7, MsgType.UPDATE, PACK_V, null);
        assertThat(r.evidence()).hasSize(AlertRevision.MAX_EVIDENCE);
        String xml = CapXml.render(r, "310000");
        assertValid(xml, "an update of 301 calls");
        assertThat(parameter(parse(xml), "evidenceCount")).isEqualTo("301");
    }

    // --- building revisions --------------------------------------------------------------------

    private static Evidence ev(StreamKind stream, String id, long ts, int city) {
        return new Evidence(stream, id, ts, city);
    }

    private static Chain chain(String ruleId, AlertKind kind, String anchor, String subject, Severity severity, Evidence... evidence) {
        Chain c = new Chain(ruleId, kind, anchor, subject);
        for (Evidence e : evidence) {
            c.add(e);
        }
        c.severity = severity;
        c.fired = true;
        c.recordFirstSent();
        return c;
    }

    private static AlertRevision copy(AlertRevision r, Severity severity, long emittedAt) {
        return new AlertRevision(r.alertId(), r.revision(), r.msgType(), r.kind(), r.ruleId(), r.ruleVersion(), severity,
                r.recipients(), r.provinces(), r.cities(), r.evidence(), r.evidenceCount(), r.firstEventTs(), r.lastEventTs(), r.detectedTs(),
                emittedAt, r.references(), r.identifiers(), r.lossCny(), r.hasLocation(), r.lat(), r.lon(), r.radiusKm(),
                r.summary(), r.subject(), r.firstSentProvinces(), r.firstSentTs(), r.firstSentSeverity(), r.firstSentSlaMillis(), r.withdrawn());
    }

    private static AlertRevision copyRevision(AlertRevision r, int revision) {
        return new AlertRevision(r.alertId(), revision, r.msgType(), r.kind(), r.ruleId(), r.ruleVersion(), r.severity(),
                r.recipients(), r.provinces(), r.cities(), r.evidence(), r.evidenceCount(), r.firstEventTs(), r.lastEventTs(), r.detectedTs(),
                r.emittedAt(), r.references(), r.identifiers(), r.lossCny(), r.hasLocation(), r.lat(), r.lon(), r.radiusKm(),
                r.summary(), r.subject(), r.firstSentProvinces(), r.firstSentTs(), r.firstSentSeverity(), r.firstSentSlaMillis(), r.withdrawn());
    }

    private static AlertRevision copyId(AlertRevision r, String alertId) {
        return new AlertRevision(alertId, r.revision(), r.msgType(), r.kind(), r.ruleId(), r.ruleVersion(), r.severity(),
                r.recipients(), r.provinces(), r.cities(), r.evidence(), r.evidenceCount(), r.firstEventTs(), r.lastEventTs(), r.detectedTs(),
                r.emittedAt(), r.references(), r.identifiers(), r.lossCny(), r.hasLocation(), r.lat(), r.lon(), r.radiusKm(),
                r.summary(), r.subject(), r.firstSentProvinces(), r.firstSentTs(), r.firstSentSeverity(), r.firstSentSlaMillis(), r.withdrawn());
    }

    // --- reading documents ---------------------------------------------------------------------

    /** config/cap/CAP-v1.2.xsd of the project, found from the working directory upwards. */
    private static Path capSchema() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path xsd = d.resolve("config").resolve("cap").resolve("CAP-v1.2.xsd");
            if (Files.isRegularFile(xsd)) {
                return xsd;
            }
        }
        throw new IllegalStateException("no config/cap/CAP-v1.2.xsd above " + Path.of("").toAbsolutePath());
    }

    private static void assertValid(String xml, String what) {
        try {
            schema.newValidator().validate(new StreamSource(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))));
        } catch (Exception e) {
            fail(what + " is not valid CAP 1.2: " + e.getMessage() + "\n" + xml);
        }
    }

    private static boolean invalid(String xml) {
        try {
            schema.newValidator().validate(new StreamSource(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))));
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed XML: " + e.getMessage() + "\n" + xml, e);
        }
    }

    private static List<String> texts(Document d, String element) {
        NodeList nodes = d.getElementsByTagNameNS(CAP, element);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }

    private static String text(Document d, String element) {
        List<String> all = texts(d, element);
        assertThat(all).as("<%s> elements", element).hasSize(1);
        return all.get(0);
    }

    private static String msgType(AlertRevision r, String recipient, AlertRevision previous) {
        return text(parse(CapXml.render(r, recipient, previous == null ? null : Received.of(previous))), "msgType");
    }

    private static String category(AlertRevision r, String recipient) {
        return text(parse(CapXml.render(r, recipient)), "category");
    }

    private static List<String> geocodes(Document d) {
        NodeList nodes = d.getElementsByTagNameNS(CAP, "geocode");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element g = (Element) nodes.item(i);
            out.add(g.getElementsByTagNameNS(CAP, "valueName").item(0).getTextContent()
                    + "=" + g.getElementsByTagNameNS(CAP, "value").item(0).getTextContent());
        }
        return out;
    }

    private static String parameter(Document d, String name) {
        NodeList nodes = d.getElementsByTagNameNS(CAP, "parameter");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element p = (Element) nodes.item(i);
            if (name.equals(p.getElementsByTagNameNS(CAP, "valueName").item(0).getTextContent())) {
                return p.getElementsByTagNameNS(CAP, "value").item(0).getTextContent();
            }
        }
        return null;
    }
}
