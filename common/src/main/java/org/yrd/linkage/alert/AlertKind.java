package org.yrd.linkage.alert;

/** What an alert is about (alert.schema.json). */
public enum AlertKind {
    INCIDENT_CHAIN, CYBER_CHAIN, CYBER_BURST, ESCALATION
}
