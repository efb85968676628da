package org.yrd.linkage.model;

/** A province's answer to an alert (alert-ack.schema.json). Any status counts as an acknowledgement. */
public enum AckStatus {
    RECEIVED, VERIFYING, CONFIRMED, FALSE_ALARM, RESOLVED
}
