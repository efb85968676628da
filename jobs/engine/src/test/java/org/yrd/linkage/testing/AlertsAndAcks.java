package org.yrd.linkage.testing;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.alert.Severity;
import org.yrd.linkage.chain.Chain;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.StreamKind;

import static org.yrd.linkage.testing.Events.MINUTE;
import static org.yrd.linkage.testing.Events.T0;

/**
 * The steps that join alert revisions with the provinces' acknowledgements (ESC-ACK, feedback),
 * in Flink's operator harness keyed by alert id on both inputs as the job graph keys them, and the
 * alert they are tested with.
 */
public final class AlertsAndAcks {

    private AlertsAndAcks() {}

    /** An opened harness: revisions on the first input, acknowledgements on the second. */
    public static <O> KeyedTwoInputStreamOperatorTestHarness<String, AlertRevision, Event, O> harness(
            KeyedCoProcessFunction<String, AlertRevision, Event, O> function) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(function),
                AlertRevision::alertId, e -> e.ack().alertId(), Types.STRING);
        h.open();
        return h;
    }

    /** A fired HIGH cluster chain across Jiangsu and Shanghai, detected at T0 (alert id INC-CLUSTER:k0). */
    public static Chain crossBorderCluster() {
        Chain c = new Chain("INC-CLUSTER", AlertKind.INCIDENT_CHAIN, "k0", "FIRE");
        c.add(new Evidence(StreamKind.CALL, "k0", T0 - 2 * MINUTE, 320500));
        c.add(new Evidence(StreamKind.CALL, "k1", T0, 310100));
        c.fired = true;
        c.severity = Severity.HIGH;
        c.recordFirstSent();
        return c;
    }
}
