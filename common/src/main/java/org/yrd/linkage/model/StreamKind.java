package org.yrd.linkage.model;

/**
 * The contracted input streams, in the order that breaks ties between events with equal {@code ts}
 * (rules-v1.md: SENSOR, CALL, FRAUD, ACK). {@code RULE} is the rule-pack update stream; it takes
 * no part in event ordering.
 */
public enum StreamKind {
    SENSOR("sensor-readings"),
    CALL("emergency-calls"),
    FRAUD("fraud-reports"),
    ACK("alert-acks"),
    RULE("rules");

    private final String baseName;

    StreamKind(String baseName) {
        this.baseName = baseName;
    }

    /** The name shared by the replay file ({@code <name>.jsonl}) and the topic ({@code <prefix><name>}). */
    public String baseName() {
        return baseName;
    }
}
