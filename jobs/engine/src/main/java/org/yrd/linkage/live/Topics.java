package org.yrd.linkage.live;

import org.yrd.linkage.chain.Revisions;
import org.yrd.linkage.model.StreamKind;

import java.util.ArrayList;
import java.util.List;

/** The contracted Kafka topics (contracts/README.md) under a configurable prefix. */
public final class Topics implements java.io.Serializable {

    /** Every recipient of alert records: the four provinces and the regional centre. */
    public static final List<String> RECIPIENTS = List.of("310000", "320000", "330000", "340000", Revisions.REGIONAL_CENTRE);

    private final String prefix;

    public Topics(String prefix) {
        this.prefix = prefix;
    }

    public String input(StreamKind stream) {
        return prefix + stream.baseName();
    }

    public String alerts(String recipient) {
        return prefix + "alerts." + recipient;
    }

    public String cap(String recipient) {
        return prefix + "alerts-cap." + recipient;
    }

    public String deadLetters() {
        return prefix + "deadletter";
    }

    /** Per rule and hour: alerts, acknowledgements, confirmations, false alarms (compacted, key rule|hour). */
    public String ruleFeedback() {
        return prefix + "rule-feedback";
    }

    public String rules() {
        return prefix + StreamKind.RULE.baseName();
    }

    /** Every topic the engine reads or writes. */
    public List<String> all() {
        List<String> all = new ArrayList<>();
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
            all.add(input(s));
        }
        all.add(rules());
        for (String r : RECIPIENTS) {
            all.add(alerts(r));
            all.add(cap(r));
        }
        all.add(deadLetters());
        all.add(ruleFeedback());
        return all;
    }
}
