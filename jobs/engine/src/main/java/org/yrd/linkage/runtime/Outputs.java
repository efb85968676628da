package org.yrd.linkage.runtime;

import org.apache.flink.util.OutputTag;
import org.yrd.linkage.model.DeadLetter;

/**
 * The side outputs every step of the engine may write to. They live at the bottom of the engine
 * so that ingestion, de-duplication and rule validation share one tag without importing each
 * other, and the job graph collects them all into the one dead-letter sink.
 */
public final class Outputs {

    /** Dead letters of every step: parsing, placement, lateness, rule-pack validation. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    /**
     * Dead letters of records an operator threw on ({@link RecordFailures}). Their detail and raw
     * text are not masked yet: the job graph masks them on the way out, since the operators below
     * it (rules, alerting, feedback) cannot reach the masking, which lives with ingestion.
     */
    public static final OutputTag<DeadLetter> FAILURES = new OutputTag<>("record-failures") {};

    private Outputs() {}
}
