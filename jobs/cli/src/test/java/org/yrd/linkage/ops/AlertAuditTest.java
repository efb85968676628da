package org.yrd.linkage.ops;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the audit of the alert topics finds: conflicting re-deliveries, revisions that never reached a recipient, the longest delay. */
class AlertAuditTest {

    private static String record(String alertId, int revision, String msgType, String kind, String recipient, long detectedTs,
                                 String evidence, String... provinces) {
        return String.format("{\"alertId\":\"%s\",\"revision\":%d,\"msgType\":\"%s\",\"kind\":\"%s\",\"recipient\":\"%s\","
                        + "\"provinces\":[%s],\"evidence\":[{\"stream\":\"CALL\",\"id\":\"%s\"}],\"detectedTs\":%d,\"emittedAt\":%d}",
                alertId, revision, msgType, kind, recipient, provinces.length == 0 ? "" : "\"" + String.join("\",\"", provinces) + "\"",
                evidence, detectedTs, System.nanoTime());
    }

    @Test
    void redeliveryWithTheSameContentIsFineAndWithOtherContentIsAConflict() {
        AlertAudit audit = new AlertAudit();
        audit.add(record("INC-CLUSTER:c1", 1, "ALERT", "INCIDENT_CHAIN", "320000", 10, "c5", "320000"));
        audit.add(record("INC-CLUSTER:c1", 1, "ALERT", "INCIDENT_CHAIN", "320000", 10, "c5", "320000"));
        assertThat(audit.conflicts()).isEmpty();
        audit.add(record("INC-CLUSTER:c1", 1, "ALERT", "INCIDENT_CHAIN", "320000", 10, "c6", "320000"));
        assertThat(audit.conflicts()).containsExactly("INC-CLUSTER:c1 #1 -> 320000");
    }

    @Test
    void lastRevisionMissingAtOneOfItsProvincesIsIncomplete() {
        AlertAudit audit = new AlertAudit();
        audit.add(record("INC-CLUSTER:c1", 1, "ALERT", "INCIDENT_CHAIN", "320000", 10, "c5", "320000", "330000"));
        audit.add(record("INC-CLUSTER:c1", 1, "ALERT", "INCIDENT_CHAIN", "330000", 10, "c5", "320000", "330000"));
        audit.add(record("INC-CLUSTER:c1", 1002, "UPDATE", "INCIDENT_CHAIN", "330000", 20, "c6", "320000", "330000"));
        assertThat(audit.incomplete()).containsExactly("INC-CLUSTER:c1 #1002 never reached 320000");
        audit.add(record("INC-CLUSTER:c1", 1002, "UPDATE", "INCIDENT_CHAIN", "320000", 20, "c6", "320000", "330000"));
        assertThat(audit.incomplete()).isEmpty();
    }

    @Test
    void cancelIsDueToEveryoneWhoHadTheAlertAndAnEscalationToTheCentreAndItsProvince() {
        AlertAudit audit = new AlertAudit();
        audit.add(record("CYB-LINK:f2", 1, "ALERT", "CYBER_CHAIN", "310000", 10, "f2", "310000"));
        audit.add(record("CYB-LINK:f2", 2, "UPDATE", "CYBER_CHAIN", "340000", 20, "f3", "310000", "340000"));
        audit.add(record("CYB-LINK:f2", 3, "CANCEL", "CYBER_CHAIN", "340000", 30, "f3", "310000", "340000"));
        audit.add(record("ESC-ACK:CYB-LINK:f1:320000", 1, "ALERT", "ESCALATION", "YRD", 10, "f1", "320000"));
        assertThat(audit.incomplete()).containsExactly(
                "CYB-LINK:f2 #3 never reached 310000",
                "ESC-ACK:CYB-LINK:f1:320000 #1 never reached 320000");
    }

    @Test
    void longestDelayIsFromDetectionToTheTopicLeavingOutEscalations() {
        AlertAudit audit = new AlertAudit();
        audit.add(record("INC-CLUSTER:c1", 1, "ALERT", "INCIDENT_CHAIN", "320000", 10_000, "c5", "320000"), 10_050);
        audit.add(record("INC-CLUSTER:c1", 2, "UPDATE", "INCIDENT_CHAIN", "320000", 20_000, "c6", "320000"), 61_000);
        audit.add(record("ESC-ACK:INC-CLUSTER:c1:320000", 1, "ALERT", "ESCALATION", "YRD", 20_000, "c6", "320000"), 900_000);
        assertThat(audit.longestDelay()).isEqualTo(41_000);
        assertThat(audit.longestDelayed()).isEqualTo("INC-CLUSTER:c1 #2 -> 320000");
    }
}
