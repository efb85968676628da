package org.yrd.linkage.alerting;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RecordFailures;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keyed by alert id: renders each revision as CAP 1.2 for each recipient, remembering the previous
 * revision so that Update and Cancel reference exactly the message a recipient holds. A revision
 * that does not render, or whose document would be larger than a topic accepts, becomes a dead
 * letter and is not rendered for any recipient.
 */
public class CapRenderFunction extends KeyedProcessFunction<String, AlertRevision, CapDocument> {

    private final Duration retention;
    private transient ValueState<AlertRevision> previous;
    private transient RecordFailures failures;

    public CapRenderFunction(Duration retention) {
        this.retention = retention;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<AlertRevision> d = new ValueStateDescriptor<>("previous", TypeInformation.of(AlertRevision.class));
        d.enableTimeToLive(StateTtlConfig.newBuilder(retention).build());
        previous = getRuntimeContext().getState(d);
        failures = new RecordFailures("render CAP", getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(AlertRevision r, Context ctx, Collector<CapDocument> out) throws Exception {
        AlertRevision before = previous.value();
        if (before != null && before.revision() >= r.revision()) {
            before = null;
        }
        List<CapDocument> documents = new ArrayList<>(r.recipients().length);
        try {
            for (String recipient : r.recipients()) {
                AlertRevision held = before != null && Arrays.asList(before.recipients()).contains(recipient) ? before : null;
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
        documents.forEach(out::collect);
        if (before == null || r.revision() > before.revision()) {
            previous.update(r);
        }
    }
}
