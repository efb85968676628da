package org.yrd.linkage.runtime;

/**
 * Event-time arithmetic that cannot overflow. The schemas bound {@code ts} below (0) but not
 * above, so a record may be stamped up to {@link Long#MAX_VALUE}; a window end, deadline or
 * expiry computed as {@code ts + window} would then wrap to a time long past, closing windows and
 * firing timers at once. Sums saturate instead: "never, as far as a long can tell".
 */
public final class EventTime {

    private EventTime() {}

    /** {@code ts + millis}, or {@link Long#MAX_VALUE} (resp. MIN_VALUE) where the sum would overflow. */
    public static long plus(long ts, long millis) {
        long sum = ts + millis;
        // overflow iff both operands have the sign the sum lacks
        if (((ts ^ sum) & (millis ^ sum)) < 0) {
            return millis > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }
}
