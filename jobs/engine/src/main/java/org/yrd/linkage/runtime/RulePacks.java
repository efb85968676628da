package org.yrd.linkage.runtime;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;

import java.io.Serializable;

/**
 * The rule pack in force at one operator. Packs travel as their YAML text (validated once, at the
 * rules topic) on a broadcast stream and sit in broadcast state, so a restored job keeps the pack
 * it had; until the first update the pack the job was submitted with applies.
 */
public final class RulePacks implements Serializable {

    /** Broadcast state: {@link #KEY} to the YAML text of the pack in force. */
    public static final MapStateDescriptor<String, String> STATE =
            new MapStateDescriptor<>("rule-pack", Types.STRING, Types.STRING);
    public static final String KEY = "pack";

    private final RulePack initial;
    private transient String text;
    private transient RulePack current;

    public RulePacks(RulePack initial) {
        this.initial = initial;
    }

    /** The pack in force, given the operator's broadcast state. */
    public RulePack current(ReadOnlyBroadcastState<String, String> state) throws Exception {
        return of(state.get(KEY));
    }

    /** The pack of the given text (null: the initial pack); the last one parsed is kept. */
    public RulePack of(String yaml) {
        if (yaml == null) {
            return initial;
        }
        if (!yaml.equals(text)) {
            current = RulePackFile.parse("update", yaml);
            text = yaml;
        }
        return current;
    }

    public RulePack initial() {
        return initial;
    }
}
