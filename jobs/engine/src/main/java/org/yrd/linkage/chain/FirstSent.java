package org.yrd.linkage.chain;

import org.yrd.linkage.alert.Severity;

/** When (detectedTs) and at what severity a province first received an alert, in ts order. */
public record FirstSent(int province, long detectedTs, Severity severity) {}
