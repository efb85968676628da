package org.yrd.linkage.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.rules.RulePack;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the console knows and who may see it, from records as the topics deliver them. */
class AlertBoardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T = 1_785_542_400_000L;
    private static final Principal JIANGSU = new Principal("320000", "");
    private static final Principal ZHEJIANG = new Principal("330000", "");
    private static final Principal ANHUI = new Principal("340000", "");
    private static final Principal CENTRE = new Principal("YRD", "");

    private final AlertBoard board = new AlertBoard(RulePack.defaults());

    static ObjectNode alert(String id, int revision, String msgType, String severity, long detectedTs, String... provinces) {
        ObjectNode a = JSON.createObjectNode();
        a.put("alertId", id).put("revision", revision).put("msgType", msgType).put("kind", "CYBER_CHAIN").put("ruleId", "CYB-LINK")
                .put("severity", severity).put("detectedTs", detectedTs).put("summary", "r" + revision);
        a.putArray("provinces").addAll(java.util.Arrays.stream(provinces).map(JSON.getNodeFactory()::textNode).toList());
        a.putArray("evidence").addObject().put("stream", "FRAUD").put("id", "f" + revision);
        a.putArray("references");
        return a;
    }

    static ObjectNode escalation(String escalated, String province, long deadline) {
        ObjectNode e = alert("ESC-ACK:" + escalated + ":" + province, 1, "ALERT", "HIGH", deadline, province);
        e.put("kind", "ESCALATION").put("ruleId", "ESC-ACK");
        e.putArray("references").add(escalated);
        return e;
    }

    static JsonNode ack(String alertId, String province, long ts, String status) {
        return JSON.createObjectNode().put("alertId", alertId).put("province", province).put("ts", ts).put("status", status);
    }

    static JsonNode state(JsonNode view, String alertId, String province) {
        for (JsonNode a : view.path("alerts")) {
            if (a.path("alertId").asText().equals(alertId)) {
                for (JsonNode s : a.path("provinceStates")) {
                    if (s.path("province").asText().equals(province)) {
                        return s;
                    }
                }
            }
        }
        return JSON.missingNode();
    }

    @Test
    void aProvinceThatJoinsLaterSeesOnlyTheRevisionsAddressedToIt() {
        board.revision("320000", alert("CYB-LINK:f1", 1, "ALERT", "HIGH", T, "320000", "330000"));
        board.revision("330000", alert("CYB-LINK:f1", 1, "ALERT", "HIGH", T, "320000", "330000"));
        ObjectNode r2 = alert("CYB-LINK:f1", 2, "UPDATE", "CRITICAL", T + 60_000, "320000", "330000", "340000");
        board.revision("320000", r2);
        board.revision("330000", r2);
        board.revision("340000", r2);

        assertThat(board.detail("CYB-LINK:f1", ANHUI).path("history")).extracting(h -> h.path("revision").asInt()).containsExactly(2);
        assertThat(board.detail("CYB-LINK:f1", JIANGSU).path("history")).extracting(h -> h.path("revision").asInt()).containsExactly(1, 2);
        assertThat(board.detail("CYB-LINK:f1", CENTRE).path("history").path(0).path("recipients"))
                .extracting(JsonNode::asText).containsExactly("320000", "330000");
        assertThat(board.visible("CYB-LINK:f1", new Principal("310000", ""))).isFalse();
    }

    @Test
    void aRepeatedRevisionIsKeptOnceAndAnOlderOneArrivingLateDoesNotReplaceTheCurrent() {
        board.revision("320000", alert("CYB-LINK:f1", 2, "UPDATE", "HIGH", T + 1, "320000"));
        board.revision("320000", alert("CYB-LINK:f1", 1, "ALERT", "HIGH", T, "320000"));
        board.revision("320000", alert("CYB-LINK:f1", 2, "UPDATE", "HIGH", T + 1, "320000"));

        JsonNode v = board.view(JIANGSU, T);
        assertThat(v.path("alerts")).hasSize(1);
        assertThat(v.path("alerts").path(0).path("revision").asInt()).isEqualTo(2);
        assertThat(board.detail("CYB-LINK:f1", JIANGSU).path("history")).hasSize(2);
    }

    @Test
    void theDeadlineIsTheFirstReceiptPlusTheSlaOfItsSeverityAndFollowsANewRulePack() {
        board.revision("320000", alert("CYB-LINK:f1", 1, "ALERT", "HIGH", T, "320000"));
        board.revision("320000", alert("CYB-LINK:f1", 2, "UPDATE", "CRITICAL", T + 60_000, "320000"));
        assertThat(state(board.view(JIANGSU, T), "CYB-LINK:f1", "320000").path("deadline").asLong())
                .as("HIGH at first receipt: 15 min").isEqualTo(T + 15 * 60_000);

        RulePack d = RulePack.defaults();
        board.rules(new RulePack(d.id(), "2", d.hazards(), d.cascade(), d.spread(), d.cluster(), d.link(), d.burst(),
                new RulePack.Escalation(true, Map.of(Severity.HIGH, Duration.ofMinutes(30)))));
        assertThat(state(board.view(JIANGSU, T), "CYB-LINK:f1", "320000").path("deadline").asLong()).isEqualTo(T + 30 * 60_000);
    }

    @Test
    void anEscalationMarksItsProvinceOnTheEscalatedAlertAndItsAnswersAreThoseOfThatAlert() {
        board.revision("320000", alert("CYB-LINK:f1", 1, "ALERT", "HIGH", T, "320000", "330000"));
        board.revision("330000", alert("CYB-LINK:f1", 1, "ALERT", "HIGH", T, "320000", "330000"));
        board.ack("320000", ack("CYB-LINK:f1", "320000", T + 1000, "CONFIRMED"));
        board.revision("330000", escalation("CYB-LINK:f1", "330000", T + 15 * 60_000));
        board.revision("YRD", escalation("CYB-LINK:f1", "330000", T + 15 * 60_000));

        JsonNode v = board.view(CENTRE, T + 16 * 60_000);
        assertThat(state(v, "CYB-LINK:f1", "330000").path("escalated").asBoolean()).isTrue();
        assertThat(state(v, "CYB-LINK:f1", "320000").path("escalated").asBoolean()).isFalse();
        assertThat(state(v, "CYB-LINK:f1", "320000").path("status").asText()).isEqualTo("CONFIRMED");
        assertThat(v.path("escalations")).extracting(e -> e.path("alertId").asText()).containsExactly("ESC-ACK:CYB-LINK:f1:330000");
        assertThat(board.escalatedAlert("ESC-ACK:CYB-LINK:f1:330000")).isEqualTo("CYB-LINK:f1");
        assertThat(board.visible("ESC-ACK:CYB-LINK:f1:330000", JIANGSU)).isFalse();
        assertThat(board.detail("ESC-ACK:CYB-LINK:f1:330000", ZHEJIANG).path("acks")).as("Zhejiang sees only its own answers").isEmpty();
    }

    @Test
    void anAnswerReadFromAnotherProvincesTopicHasNoEffect() {
        board.revision("320000", alert("CYB-LINK:f1", 1, "ALERT", "HIGH", T, "320000", "330000"));
        board.ack("330000", ack("CYB-LINK:f1", "320000", T + 1000, "FALSE_ALARM"));

        assertThat(state(board.view(JIANGSU, T), "CYB-LINK:f1", "320000").path("status").isNull()).isTrue();
        assertThat(board.skipped()).isEqualTo(1);
    }

    @Test
    void aProvinceSeesOnlyItsOwnAnswersAndTheCentreSeesEveryOne() {
        board.revision("320000", alert("CYB-LINK:f1", 1, "ALERT", "HIGH", T, "320000", "330000"));
        board.revision("330000", alert("CYB-LINK:f1", 1, "ALERT", "HIGH", T, "320000", "330000"));
        board.ack("320000", ack("CYB-LINK:f1", "320000", T + 1000, "VERIFYING"));
        board.ack("320000", ack("CYB-LINK:f1", "320000", T + 1000, "VERIFYING"));
        board.ack("330000", ack("CYB-LINK:f1", "330000", T + 2000, "RECEIVED"));
        board.ack("320000", ack("CYB-LINK:f1", "320000", T + 3000, "CONFIRMED"));

        assertThat(board.detail("CYB-LINK:f1", JIANGSU).path("acks")).extracting(a -> a.path("status").asText())
                .containsExactly("VERIFYING", "CONFIRMED");
        assertThat(board.detail("CYB-LINK:f1", CENTRE).path("acks")).extracting(a -> a.path("province").asText() + " " + a.path("status").asText())
                .containsExactly("320000 VERIFYING", "330000 RECEIVED", "320000 CONFIRMED");
        JsonNode s = state(board.view(JIANGSU, T), "CYB-LINK:f1", "320000");
        assertThat(s.path("status").asText()).isEqualTo("CONFIRMED");
        assertThat(s.path("firstAckTs").asLong()).isEqualTo(T + 1000);
        assertThat(board.view(JIANGSU, T).path("alerts").path(0).path("provinceStates")).hasSize(1);
    }

    @Test
    void theCentreListsWhatEachProvinceHasNotAnsweredNearestDeadlineFirstAndLeavesCancelledAlertsOut() {
        board.revision("320000", alert("CYB-LINK:late", 1, "ALERT", "HIGH", T, "320000"));
        board.revision("320000", alert("CYB-LINK:soon", 1, "ALERT", "CRITICAL", T, "320000"));
        board.revision("320000", alert("CYB-LINK:gone", 1, "ALERT", "CRITICAL", T, "320000"));
        board.revision("320000", alert("CYB-LINK:gone", 2, "CANCEL", "CRITICAL", T + 5, "320000"));
        board.revision("320000", alert("CYB-LINK:done", 1, "ALERT", "HIGH", T, "320000"));
        board.ack("320000", ack("CYB-LINK:done", "320000", T + 10, "FALSE_ALARM"));

        JsonNode jiangsu = board.view(CENTRE, T).path("provinces").path(1);
        assertThat(jiangsu.path("province").asText()).isEqualTo("320000");
        assertThat(jiangsu.path("awaiting")).extracting(a -> a.path("alertId").asText()).containsExactly("CYB-LINK:soon", "CYB-LINK:late");
        assertThat(jiangsu.path("answered").path("FALSE_ALARM").asInt()).isEqualTo(1);
    }

    @Test
    void theAlertsStateSeedsAnAlertWithEveryRecipientAndTheLatestFeedbackOfAKeyWins() {
        ObjectNode s = alert("CYB-LINK:f1", 7, "UPDATE", "HIGH", T, "320000", "330000");
        s.putArray("recipients").add("320000").add("330000");
        board.state(s);
        board.feedback(JSON.createObjectNode().put("ruleId", "CYB-LINK").put("hourStart", T).put("alerts", 1));
        board.feedback(JSON.createObjectNode().put("ruleId", "CYB-LINK").put("hourStart", T).put("alerts", 2));

        assertThat(board.visible("CYB-LINK:f1", ZHEJIANG)).isTrue();
        assertThat(board.view(ZHEJIANG, T).path("alerts").path(0).path("revision").asInt()).isEqualTo(7);
        assertThat(board.view(ZHEJIANG, T).has("feedback")).as("feedback figures are the centre's").isFalse();
        assertThat(board.view(CENTRE, T).path("feedback")).extracting(f -> f.path("alerts").asInt()).containsExactly(2);
    }

    @Test
    void recordsThatAreNotAlertsAnswersOrFiguresAreSkippedAndCounted() {
        board.revision("320000", JSON.nullNode());
        board.revision("320000", JSON.createObjectNode().put("alertId", "x").put("revision", 0));
        board.revision("320000", JSON.createArrayNode());
        board.ack("320000", JSON.createObjectNode().put("alertId", "x"));
        board.feedback(JSON.createObjectNode().put("hourStart", "soon"));
        ObjectNode noRecipients = alert("CYB-LINK:f1", 1, "ALERT", "HIGH", T, "320000");
        noRecipients.putArray("recipients").add("999999");
        board.state(noRecipients);

        assertThat(board.skipped()).isEqualTo(6);
        assertThat(board.view(CENTRE, T).path("alerts")).isEmpty();
        assertThat(board.drain().alertIds()).isEmpty();
    }
}
