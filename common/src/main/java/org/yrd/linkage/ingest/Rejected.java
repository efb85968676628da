package org.yrd.linkage.ingest;

import org.yrd.linkage.model.DeadLetter;

/** Why one input record is unusable; thrown inside parsing only, without a stack trace. */
public final class Rejected extends Exception {

    private final DeadLetter.Reason reason;

    public Rejected(DeadLetter.Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public DeadLetter.Reason reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }
}
