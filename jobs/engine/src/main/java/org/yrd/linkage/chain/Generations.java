package org.yrd.linkage.chain;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;

import java.util.List;

/**
 * Keeps re-delivery harmless across recoveries: the same alert id and revision always carry the
 * same content.
 *
 * <p>Sinks are at-least-once, so after a restore from a checkpoint the revisions sent since that
 * checkpoint are sent again; in live mode events may now arrive in another order, and a revision
 * number reused for different content would mislead consumers. So each restore starts a new
 * <em>generation</em>, and the first revision an alert gets in a new generation skips ahead by
 * {@link #GAP} (more than any alert gets revisions between two checkpoints): its number was never
 * used before the failure. Revision numbers stay increasing; they are not consecutive across a
 * recovery.
 */
public final class Generations {

    /** How far an alert's revision number jumps at its first revision after a restore. */
    public static final int GAP = 1000;

    private final ListState<Integer> state;
    private final int current;

    private Generations(ListState<Integer> state, int current) {
        this.state = state;
        this.current = current;
    }

    public static Generations initialize(FunctionInitializationContext context) throws Exception {
        ListState<Integer> state = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("restore-generation", Types.INT));
        int restored = -1;
        if (context.isRestored()) {
            for (Integer g : state.get()) {
                restored = Math.max(restored, g);
            }
        }
        return new Generations(state, restored + 1);
    }

    public int current() {
        return current;
    }

    /**
     * The revision after {@code revision}, which was sent in generation {@code sentIn}; a new alert
     * has revision 0 and generation 0, so that its first revision after a restore jumps too.
     */
    public int nextRevision(int revision, int sentIn) {
        return sentIn < current ? revision + (current - sentIn) * GAP + 1 : revision + 1;
    }

    public void snapshot() throws Exception {
        state.update(List.of(current));
    }
}
