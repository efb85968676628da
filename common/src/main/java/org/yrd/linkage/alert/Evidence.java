package org.yrd.linkage.alert;

import org.yrd.linkage.model.StreamKind;

import java.util.Comparator;

/** One event behind an alert. Only stream and id are written out; ts and city make the alert's times and places. */
public record Evidence(StreamKind stream, String id, long ts, int city) {

    /** The order evidence is written in: by stream name, then id. */
    public static final Comparator<Evidence> OUTPUT_ORDER =
            Comparator.comparing((Evidence e) -> e.stream().name()).thenComparing(Evidence::id);
}
