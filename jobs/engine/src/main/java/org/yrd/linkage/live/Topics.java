package org.yrd.linkage.live;

import org.yrd.linkage.chain.Revisions;
import org.yrd.linkage.model.StreamKind;

import java.util.ArrayList;
import java.util.List;

/** The contracted Kafka topics (contracts/README.md) under a configurable prefix. */
public final class Topics implements java.io.Serializable {

    /** The four provinces: each acknowledges on its own topic and receives its own alerts. */
    public static final List<String> PROVINCES = List.of("310000", "320000", "330000", "340000");

    /** Every recipient of alert records: the four provinces and the regional centre. */
    public static final List<String> RECIPIENTS = List.of("310000", "320000", "330000", "340000", Revisions.REGIONAL_CENTRE);

    private final String prefix;

    public Topics(String prefix) {
        this.prefix = prefix;
    }

    /** The topic of a sensor, call or fraud stream; acknowledgements have one topic per province, {@link #acks}. */
    public String input(StreamKind stream) {
        if (stream == StreamKind.ACK) {
            throw new IllegalArgumentException("acknowledgements have one topic per province: acks(province)");
        }
        return prefix + stream.baseName();
    }

    /** The topic on which {@code province} acknowledges (only it may write there; contracts/README.md). */
    public String acks(String province) {
        return prefix + StreamKind.ACK.baseName() + "." + province;
    }

    /** The four provinces' acknowledgement topics. */
    public List<String> acks() {
        return PROVINCES.stream().map(this::acks).toList();
    }

    public String alerts(String recipient) {
        return prefix + "alerts." + recipient;
    }

    public String cap(String recipient) {
        return prefix + "alerts-cap." + recipient;
    }

    /**
     * Each alert's current state (compacted, key alert id): the latest revision with all its
     * recipients, where a console or any consumer that wants state rather than revisions starts.
     */
    public String alertsState() {
        return prefix + "alerts-state";
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
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD)) {
            all.add(input(s));
        }
        all.addAll(acks());
        all.add(rules());
        for (String r : RECIPIENTS) {
            all.add(alerts(r));
            all.add(cap(r));
        }
        all.add(alertsState());
        all.add(deadLetters());
        all.add(ruleFeedback());
        return all;
    }
}
