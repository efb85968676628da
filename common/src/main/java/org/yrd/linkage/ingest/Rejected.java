package org.yrd.linkage.ingest;

import org.yrd.linkage.model.DeadLetter;

/**
 * Why one input record is unusable; thrown inside parsing only, without a stack trace. The detail
 * is masked with {@link RawMasking} as it is made, because details quote the input (Jackson's
 * messages quote the token they stopped at, range errors the value) and leave the engine in dead
 * letters as the raw text does.
 */
public final class Rejected extends Exception {

    private final DeadLetter.Reason reason;

    public Rejected(DeadLetter.Reason reason, String detail) {
        super(detail == null ? null : RawMasking.mask(detail), null, false, false);
        this.reason = reason;
    }

    public DeadLetter.Reason reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }
}
