package org.yrd.linkage.alerting;

/** One CAP 1.2 document: a revision of an alert for one recipient. */
public record CapDocument(String alertId, String recipient, String fileName, String xml) {}
