package org.yrd.linkage.alerting;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.alert.AlertRevision;

import java.time.Duration;
import java.util.Arrays;

/**
 * Keyed by alert id: renders each revision as CAP 1.2 for each recipient, remembering the previous
 * revision so that Update and Cancel reference exactly the message a recipient holds.
 */
public class CapRenderFunction extends KeyedProcessFunction<String, AlertRevision, CapDocument> {

    private final Duration retention;
    private transient ValueState<AlertRevision> previous;

    public CapRenderFunction(Duration retention) {
        this.retention = retention;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<AlertRevision> d = new ValueStateDescriptor<>("previous", TypeInformation.of(AlertRevision.class));
        d.enableTimeToLive(StateTtlConfig.newBuilder(retention).build());
        previous = getRuntimeContext().getState(d);
    }

    @Override
    public void processElement(AlertRevision r, Context ctx, Collector<CapDocument> out) throws Exception {
        AlertRevision before = previous.value();
        if (before != null && before.revision() >= r.revision()) {
            before = null;
        }
        for (String recipient : r.recipients()) {
            AlertRevision held = before != null && Arrays.asList(before.recipients()).contains(recipient) ? before : null;
            out.collect(new CapDocument(r.alertId(), recipient, CapXml.fileName(r, recipient), CapXml.render(r, recipient, held)));
        }
        if (before == null || r.revision() > before.revision()) {
            previous.update(r);
        }
    }
}
