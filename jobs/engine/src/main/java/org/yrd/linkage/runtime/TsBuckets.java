package org.yrd.linkage.runtime;

import org.apache.flink.api.common.state.MapState;

import java.util.ArrayList;
import java.util.List;

/**
 * Values that wait in keyed state until the watermark passes their timestamp, as a map from
 * timestamp to the values of that timestamp (the rules' waiting events, ESC-ACK's revisions, the
 * feedback's answers and facts in replay). The caller registers the event-time timer.
 */
public final class TsBuckets {

    private TsBuckets() {}

    /** Adds {@code value} to the bucket of {@code ts}. */
    public static <T> void add(MapState<Long, List<T>> buckets, long ts, T value) throws Exception {
        List<T> at = buckets.get(ts);
        if (at == null) {
            at = new ArrayList<>(1);
        }
        at.add(value);
        buckets.put(ts, at);
    }

    /** Removes and returns the bucket of {@code ts}; null when it is empty. */
    public static <T> List<T> take(MapState<Long, List<T>> buckets, long ts) throws Exception {
        List<T> at = buckets.get(ts);
        if (at != null) {
            buckets.remove(ts);
        }
        return at;
    }
}
