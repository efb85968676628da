package org.yrd.linkage.live;

import org.apache.kafka.common.config.TopicConfig;
import org.yrd.linkage.chain.Revisions;
import org.yrd.linkage.model.StreamKind;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The contracted Kafka topics (contracts/README.md) under a configurable prefix, and for each how
 * it is kept and who reads and writes it. This is the one statement of them: {@code --create-topics}
 * ({@link KafkaIO#createTopics}) creates what {@link #specs()} says, the engine checks its access to
 * them before it starts ({@link KafkaIO#checkTopics}), and deploy/k8s/kafka-topics.yaml (the Strimzi
 * KafkaTopics) and kafka-users.yaml (the ACLs) must say the same (ManifestsTest fails otherwise).
 */
public final class Topics implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The four provinces: each acknowledges on its own topic and receives its own alerts. */
    public static final List<String> PROVINCES = List.of("310000", "320000", "330000", "340000");

    /** Every recipient of alert records: the four provinces and the regional centre. */
    public static final List<String> RECIPIENTS = List.of("310000", "320000", "330000", "340000", Revisions.REGIONAL_CENTRE);

    /** The deployment's Kafka users (deploy/k8s/kafka-users.yaml) that {@link Spec#readers} and {@link Spec#writers} name. */
    public static final String ENGINE = "yrd-linkage-engine";
    public static final String CENTRE = "yrd-coordination-centre";
    public static final String ANALYST = "yrd-analyst";
    /** The provinces' console (./linkage console): it acts for a province only as its sign-in token allows. */
    public static final String CONSOLE = "yrd-console";

    /** The Kafka user of a province's systems. */
    public static String provinceUser(String province) {
        return "yrd-province-" + province;
    }

    /** Inputs are kept a week: time to recover a suspended or failed job, which resumes from its committed offsets. */
    static final Duration INPUT_RETENTION = Duration.ofDays(7);
    /** Outputs are kept 30 days: the provinces' and the analysts' window to re-read, reconcile and audit. */
    static final Duration OUTPUT_RETENTION = Duration.ofDays(30);

    /**
     * One topic: its partitions, whether it is compacted (the latest record per key kept for good)
     * or deleted after {@code retention}, and the Kafka users that read and write it.
     */
    public record Spec(String name, int partitions, boolean compacted, Duration retention, Set<String> readers,
                       Set<String> writers) {

        /**
         * The topic configuration every copy of this topic has. LogAppendTime: records carry the time the
         * broker received them, because the KafkaSink and replay tools stamp records with historical event
         * times that time-based retention would delete at once; the engine reads event time from {@code ts}.
         */
        public Map<String, String> configs() {
            Map<String, String> c = new LinkedHashMap<>();
            c.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
            c.put(TopicConfig.CLEANUP_POLICY_CONFIG, compacted ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
            if (!compacted) {
                c.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
            }
            return c;
        }
    }

    private final String prefix;

    public Topics(String prefix) {
        this.prefix = prefix;
    }

    /** The topic of an input stream other than acknowledgements, which have one topic per province ({@link #acks}). */
    public String input(StreamKind stream) {
        if (stream == StreamKind.ACK || stream == StreamKind.RULE) {
            throw new IllegalArgumentException(stream + " has no single input topic: see acks(province) and rules()");
        }
        return prefix + stream.baseName();
    }

    /** The topics the engine reads a stream from: one, or for acknowledgements every province's. */
    public List<String> inputs(StreamKind stream) {
        return stream == StreamKind.ACK ? PROVINCES.stream().map(this::acks).toList() : List.of(input(stream));
    }

    /** The topic on which only {@code province} acknowledges alerts. */
    public String acks(String province) {
        return prefix + StreamKind.ACK.baseName() + "." + province;
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

    /**
     * Every contracted topic. Partitions: the three input streams 6, so their sources can scale to
     * parallelism 6 without re-partitioning; a province's acknowledgements, the alert, CAP and
     * dead-letter topics 3, enough for their volume and a few consumers each; the rules 1, because
     * packs must apply in one total order; the rule feedback 1, a few records per rule and hour; the
     * alerts' current state 3, compacted (the latest state per alert id, kept for good).
     * The producers of the three input streams (the provinces' sensor, 110 and fraud systems) are
     * not among the deployment's users.
     */
    public List<Spec> specs() {
        List<Spec> specs = new ArrayList<>();
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD)) {
            specs.add(new Spec(input(s), 6, false, INPUT_RETENTION, Set.of(ENGINE), Set.of()));
        }
        for (String p : PROVINCES) {
            specs.add(new Spec(acks(p), 3, false, INPUT_RETENTION, Set.of(ENGINE, CONSOLE), Set.of(provinceUser(p), CONSOLE)));
        }
        specs.add(new Spec(rules(), 1, true, null, Set.of(ENGINE, CONSOLE), Set.of(ANALYST)));
        for (String r : RECIPIENTS) {
            String reader = r.equals(Revisions.REGIONAL_CENTRE) ? CENTRE : provinceUser(r);
            specs.add(new Spec(alerts(r), 3, false, OUTPUT_RETENTION, Set.of(reader, CONSOLE), Set.of(ENGINE)));
            specs.add(new Spec(cap(r), 3, false, OUTPUT_RETENTION, Set.of(reader), Set.of(ENGINE)));
        }
        specs.add(new Spec(alertsState(), 3, true, null, Set.of(CENTRE, CONSOLE), Set.of(ENGINE)));
        specs.add(new Spec(deadLetters(), 3, false, OUTPUT_RETENTION, Set.of(ANALYST), Set.of(ENGINE)));
        specs.add(new Spec(ruleFeedback(), 1, true, null, Set.of(ANALYST, CONSOLE), Set.of(ENGINE)));
        return specs;
    }

    /** Every topic the engine reads or writes. */
    public List<String> all() {
        return specs().stream().map(Spec::name).toList();
    }
}
