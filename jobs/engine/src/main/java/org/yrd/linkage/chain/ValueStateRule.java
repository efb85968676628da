package org.yrd.linkage.chain;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.yrd.linkage.rules.RulePack;

/**
 * A sequenced rule whose whole per-key state is one small POJO (the open chains of one grid cell,
 * sensor kind, call category or identifier). An empty state is removed, so idle keys cost nothing.
 */
public abstract class ValueStateRule<S> extends SequencedRuleFunction<S> {

    private final Class<S> stateClass;
    private transient ValueState<S> committed;
    private transient TypeSerializer<S> serializer;

    protected ValueStateRule(RulePack pack, boolean speculative, Class<S> stateClass) {
        super(pack, speculative);
        this.stateClass = stateClass;
    }

    protected abstract S emptyState();

    protected abstract boolean isEmpty(S state);

    private ValueStateDescriptor<S> descriptor() {
        return new ValueStateDescriptor<>("chains", TypeInformation.of(stateClass));
    }

    @Override
    protected void openRuleState() {
        committed = getRuntimeContext().getState(descriptor());
        serializer = getRuntimeContext().createSerializer(TypeInformation.of(stateClass));
    }

    @Override
    protected void clearRuleState(Context ctx) throws Exception {
        ctx.applyToKeyedState(descriptor(), (key, state) -> state.clear());
    }

    @Override
    protected S loadCommitted() throws Exception {
        S s = committed.value();
        return s == null ? emptyState() : s;
    }

    @Override
    protected void saveCommitted(S state) throws Exception {
        if (isEmpty(state)) {
            committed.clear();
        } else {
            committed.update(state);
        }
    }

    @Override
    protected S loadSpeculative() throws Exception {
        S s = committed.value();
        return s == null ? emptyState() : serializer.copy(s);
    }
}
