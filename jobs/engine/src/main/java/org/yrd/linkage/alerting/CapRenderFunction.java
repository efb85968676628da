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

import java.time.Duration;

/**
 * Keyed by alert id: renders each revision as CAP 1.2 for each recipient, remembering per recipient
 * the document it received last, so that an Update or Cancel references exactly that document and
 * a recipient's first document of an alert is an Alert, whatever the revision (CapXml).
 */
public class CapRenderFunction extends KeyedProcessFunction<String, AlertRevision, CapDocument> {

    private final Duration retention;
    private transient MapState<String, CapXml.Received> received;

    public CapRenderFunction(Duration retention) {
        this.retention = retention;
    }

    @Override
    public void open(OpenContext openContext) {
        MapStateDescriptor<String, CapXml.Received> d = new MapStateDescriptor<>("received-by-recipient",
                Types.STRING, TypeInformation.of(CapXml.Received.class));
        d.enableTimeToLive(StateTtlConfig.newBuilder(retention).build());
        received = getRuntimeContext().getMapState(d);
    }

    @Override
    public void processElement(AlertRevision r, Context ctx, Collector<CapDocument> out) throws Exception {
        for (String recipient : r.recipients()) {
            CapXml.Received held = received.get(recipient);
            if (held != null && held.revision() >= r.revision()) {
                // revisions of one alert arrive in increasing order, restores included (Generations);
                // should one not, its document must not claim a predecessor that came after it
                held = null;
            } else {
                received.put(recipient, CapXml.Received.of(r));
            }
            out.collect(new CapDocument(r.alertId(), recipient, CapXml.fileName(r, recipient), CapXml.render(r, recipient, held)));
        }
    }
}
