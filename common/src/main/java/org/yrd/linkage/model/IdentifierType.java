package org.yrd.linkage.model;

/** Kinds of suspect-side identifier named in a fraud report (fraud-report.schema.json). */
public enum IdentifierType {
    PHONE, BANK_ACCOUNT, PAYMENT_ACCOUNT, URL, DEVICE, IM_ACCOUNT
}
