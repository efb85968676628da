package org.yrd.linkage.model;

/** Kinds of telecom/online fraud (fraud-report.schema.json). */
public enum FraudType {
    IMPERSONATION, INVESTMENT, ROMANCE, CUSTOMER_SERVICE, LOAN, PART_TIME_JOB, SHOPPING, OTHER
}
