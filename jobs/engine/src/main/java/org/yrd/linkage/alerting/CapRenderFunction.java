package org.yrd.linkage.alerting;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RecordFailures;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Keyed by alert id: renders each revision as CAP 1.2 for each recipient, remembering per recipient
 * the document it received last, so that an Update or Cancel references exactly that document and
 * a recipient's first document of an alert is an Alert, whatever the revision (CapXml). A revision
 * that does not render, or whose document would be larger than a topic accepts, becomes a dead
 * letter and is not rendered for any recipient.
 */
public class CapRenderFunction extends KeyedProcessFunction<String, AlertRevision, CapDocument> {

    private final Duration retention;
    private transient MapState<String, CapXml.Received> received;
    private transient RecordFailures failures;

    public CapRenderFunction(Duration retention) {
        this.retention = retention;
    }

    @Override
    public void open(OpenContext openContext) {
        MapStateDescriptor<String, CapXml.Received> d = new MapStateDescriptor<>("received-by-recipient",
                Types.STRING, TypeInformation.of(CapXml.Received.class));
        d.enableTimeToLive(StateTtlConfig.newBuilder(retention).build());
        received = getRuntimeContext().getMapState(d);
        failures = new RecordFailures("render CAP", getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(AlertRevision r, Context ctx, Collector<CapDocument> out) throws Exception {
        List<CapDocument> documents = new ArrayList<>(r.recipients().length);
        List<String> advanced = new ArrayList<>(r.recipients().length);
        try {
            for (String recipient : r.recipients()) {
                CapXml.Received held = received.get(recipient);
                if (held != null && held.revision() >= r.revision()) {
                    // revisions of one alert arrive in increasing order, restores included (Generations);
                    // should one not, its document must not claim a predecessor that came after it
                    held = null;
                } else {
                    advanced.add(recipient);
                }
                String xml = CapXml.render(r, recipient, held);
                if (xml.getBytes(StandardCharsets.UTF_8).length > AlertJson.MAX_RECORD_BYTES) {
                    throw new IllegalStateException("its CAP document would be more than the " + AlertJson.MAX_RECORD_BYTES + " bytes a record may have");
                }
                documents.add(new CapDocument(r.alertId(), recipient, CapXml.fileName(r, recipient), xml));
            }
        } catch (RuntimeException | StackOverflowError x) {
            ctx.output(Outputs.FAILURES, failures.deadLetter(x, r));
            return;
        }
        for (String recipient : advanced) {
            received.put(recipient, CapXml.Received.of(r));
        }
        documents.forEach(out::collect);
    }
}
