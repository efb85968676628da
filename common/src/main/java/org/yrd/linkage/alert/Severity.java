package org.yrd.linkage.alert;

/** Alert severity (alert.schema.json), most severe first. */
public enum Severity {
    CRITICAL, HIGH, MEDIUM, LOW
}
