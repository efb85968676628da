package org.yrd.linkage.model;

/**
 * One fraud report, as validated against fraud-report.schema.json. {@code identifiers} holds each
 * distinct normalised identifier once, in the order first named.
 */
public record FraudReport(
        String id,
        long ts,
        String cityCode,
        FraudType fraudType,
        double amountCny,
        Identifier[] identifiers) {}
