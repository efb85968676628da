package org.yrd.linkage.model;

/** A province's acknowledgement of an alert, as validated against alert-ack.schema.json. */
public record AlertAck(String alertId, String province, long ts, AckStatus status) {}
