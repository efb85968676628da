package org.yrd.linkage.runtime;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Every knob of the engine (rule numbers excepted: they live in rule packs). Read from Flink's
 * configuration, so {@code config.yaml}, {@code -D key=value} on the command line and
 * {@code --set key=value} of {@code ./linkage} all work.
 */
public final class EngineOptions {

    private EngineOptions() {}

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = ConfigOptions.key("linkage.out-of-orderness")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("Bounded out-of-orderness of each input stream. A record stamped further behind the "
                    + "latest ts of its stream is dead-lettered as LATE (contracts/README.md).");

    public static final ConfigOption<Duration> MAX_CLOCK_SKEW = ConfigOptions.key("linkage.max-clock-skew")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("How far ahead of the real time a producer's clock may be. A record stamped further ahead is "
                    + "dead-lettered as FUTURE and moves no clock (contracts/README.md). With "
                    + "linkage.watermark.clock-advance (live mode) the real time is the engine's wall clock; in replay, "
                    + "a record stamped more than this ahead of its stream's latest ts is held until the records after "
                    + "it confirm or contradict the jump.");

    public static final ConfigOption<Duration> WATERMARK_INTERVAL = ConfigOptions.key("linkage.watermark.interval")
            .durationType().defaultValue(Duration.ofMillis(200))
            .withDescription("How often (processing time) each ingestion subtask sends its watermark downstream.");

    public static final ConfigOption<Boolean> CLOCK_ADVANCE = ConfigOptions.key("linkage.watermark.clock-advance")
            .booleanType().defaultValue(false)
            .withDescription("Live mode: the wall clock is the real time. A record stamped more than "
                    + "linkage.max-clock-skew after it is FUTURE, and when a stream has been quiet for "
                    + "linkage.watermark.quiet-after, its watermark follows the wall clock, so that ESC-ACK deadlines "
                    + "fire through quiet periods. Off for replay, where time is the data's only.");

    public static final ConfigOption<Duration> QUIET_AFTER = ConfigOptions.key("linkage.watermark.quiet-after")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("How long a stream must be quiet before its watermark follows the wall clock, and the step "
                    + "in which it then follows it (whole steps of epoch time, the same instants for every stream).");

    public static final ConfigOption<Boolean> IDLE_WHEN_QUIET = ConfigOptions.key("linkage.watermark.idle-when-quiet")
            .booleanType().defaultValue(false)
            .withDescription("Live mode without linkage.watermark.clock-advance (e.g. the demo's faster scenario, whose "
                    + "time is not the wall clock): a stream quiet for linkage.watermark.quiet-after takes the records "
                    + "its clock holds and is marked idle, so that the other streams' time moves the watermark without "
                    + "it; its next record makes it active again. Off for replay, where a stream that is only slow must "
                    + "hold the watermark back.");

    public static final ConfigOption<Boolean> SPECULATIVE = ConfigOptions.key("linkage.emit.speculative")
            .booleanType().defaultValue(true)
            .withDescription("Emit alerts as soon as the events received satisfy a rule, correcting them with "
                    + "UPDATE or CANCEL when an earlier-stamped event arrives later (live mode). When false, "
                    + "alerts are emitted as the watermark commits events in ts order, so that even the "
                    + "sequence of revisions is the same at any parallelism (replay).");

    public static final ConfigOption<Duration> REPLAY_READ_DRIFT = ConfigOptions.key("linkage.replay.read-drift")
            .durationType().defaultValue(Duration.ofHours(1))
            .withDescription("Replay: how far (event time) one input file may be read ahead of the slowest, with Flink's "
                    + "watermark alignment. It bounds how many events wait in the rules for the other files; it changes "
                    + "no alert. Replay reads hours of event time per second and the readers learn the slowest file's "
                    + "time every 100 ms, so a drift much below an hour pauses every reader between updates. "
                    + "0 reads each file at its own pace.");

    public static final ConfigOption<Duration> DEDUPE_HORIZON = ConfigOptions.key("linkage.dedupe.horizon")
            .durationType().defaultValue(Duration.ofHours(24))
            .withDescription("A record repeated with the same stream and id within this much event time is ignored.");

    public static final ConfigOption<Duration> ESCALATION_RETENTION = ConfigOptions.key("linkage.escalation.retention")
            .durationType().defaultValue(Duration.ofDays(8))
            .withDescription("How long (event time) after an alert's last revision or ack the escalation step "
                    + "remembers it. Must exceed the longest time a rule lets an alert change (CYB-LINK: 7 days).");

    public static final ConfigOption<String> TOPIC_PREFIX = ConfigOptions.key("linkage.topic-prefix")
            .stringType().defaultValue("yrd.")
            .withDescription("Prefix of every Kafka topic the engine reads and writes.");

    public static final ConfigOption<String> KAFKA_BOOTSTRAP = ConfigOptions.key("linkage.kafka.bootstrap-servers")
            .stringType().noDefaultValue()
            .withDescription("Kafka bootstrap servers of live mode, host:port[,host:port].");

    public static final ConfigOption<String> KAFKA_GROUP = ConfigOptions.key("linkage.kafka.group-id")
            .stringType().defaultValue("yrd-linkage")
            .withDescription("Consumer group of the input topics; offsets are committed on checkpoints.");

    public static final ConfigOption<StartPosition> KAFKA_START = ConfigOptions.key("linkage.kafka.starting-offsets")
            .enumType(StartPosition.class).defaultValue(StartPosition.COMMITTED)
            .withDescription("Where a job without state starts reading: earliest, latest, or committed (the "
                    + "group's committed offsets, earliest where there are none). A job restored from a "
                    + "checkpoint or savepoint always continues from its state.");

    public static final ConfigOption<Boolean> KAFKA_CREATE_TOPICS = ConfigOptions.key("linkage.kafka.create-topics")
            .booleanType().defaultValue(false)
            .withDescription("Create every contracted topic that is missing before the job starts, with the partitions, "
                    + "compaction and retention that deploy/k8s/kafka-topics.yaml declares (live/Topics.java). Either way the "
                    + "job starts only when every topic exists and its Kafka user may read its inputs and write its outputs.");

    public static final ConfigOption<Integer> KAFKA_REPLICATION = ConfigOptions.key("linkage.kafka.replication-factor")
            .intType().defaultValue(1)
            .withDescription("Replication factor of topics created by linkage.kafka.create-topics (a production cluster's "
                    + "KafkaTopics have 3).");

    /** Any Kafka client property, e.g. {@code linkage.kafka.properties.security.protocol: SASL_SSL}. */
    public static final String KAFKA_PROPERTIES_PREFIX = "linkage.kafka.properties.";

    public static final ConfigOption<Delivery> DELIVERY = ConfigOptions.key("linkage.delivery.guarantee")
            .enumType(Delivery.class).defaultValue(Delivery.AT_LEAST_ONCE)
            .withDescription("Kafka sink guarantee. at-least-once: an alert is sent the moment it is found "
                    + "(milliseconds); after a failure a revision may be sent again, always with the same alert "
                    + "id, revision and content, so consumers keep the highest revision per alert id. "
                    + "exactly-once: alerts become visible to read_committed consumers only when the "
                    + "checkpoint that covers them completes (latency of one checkpoint interval).");

    public static final ConfigOption<String> IDENTIFIER_KEY_FILE = ConfigOptions.key("linkage.identifier.key-file")
            .stringType().noDefaultValue()
            .withDescription("The deployment's secret key for identifier digests (HMAC-SHA-256 of TYPE:normalised form, "
                    + "contracts/README.md): a file readable on every TaskManager, its bytes less one trailing line break, "
                    + "at least 32. Changing the key splits linkage history.");

    public static final ConfigOption<Boolean> IDENTIFIER_DEV_KEY = ConfigOptions.key("linkage.identifier.dev-key")
            .booleanType().defaultValue(false)
            .withDescription("Digest identifiers under the published development key instead of a key file: for replay, "
                    + "tests and the demo (replay's default when no key file is set), never for production data.");

    public static final ConfigOption<String> RULES_FILE = ConfigOptions.key("linkage.rules.file")
            .stringType().noDefaultValue()
            .withDescription("Rule pack the live job starts with (a YAML file readable where the job is submitted); "
                    + "default: the built-in pack yrd-default. Later packs arrive on the rules topic.");

    public static final ConfigOption<Boolean> DRY_RUN = ConfigOptions.key("linkage.dry-run")
            .booleanType().defaultValue(false)
            .withDescription("Check instead of run: the live job loads its rule pack (and reads it back from the YAML form in "
                    + "which packs arrive on the rules topic), the region data, builds its job graph, prints one line and exits "
                    + "without contacting Kafka or submitting anything. Run it on the Flink the job will run on: "
                    + "java -cp \"/opt/flink/lib/*:yrd-linkage-job.jar\" org.yrd.linkage.live.LiveJob linkage.dry-run=true ...");

    /** Every option above, for validation and documentation. */
    public static final List<ConfigOption<?>> ALL = List.of(OUT_OF_ORDERNESS, MAX_CLOCK_SKEW, WATERMARK_INTERVAL, CLOCK_ADVANCE, QUIET_AFTER, IDLE_WHEN_QUIET,
            SPECULATIVE, REPLAY_READ_DRIFT, DEDUPE_HORIZON, ESCALATION_RETENTION, TOPIC_PREFIX, KAFKA_BOOTSTRAP, KAFKA_GROUP, KAFKA_START,
            KAFKA_CREATE_TOPICS, KAFKA_REPLICATION, DELIVERY, RULES_FILE, IDENTIFIER_KEY_FILE, IDENTIFIER_DEV_KEY,
            DRY_RUN);

    /** Kafka sink guarantees the engine offers (Flink's {@code none} is not one: alerts are never dropped). */
    public enum Delivery {
        AT_LEAST_ONCE,
        EXACTLY_ONCE;

        /** The written form, {@code at-least-once} or {@code exactly-once}, which the configuration parses. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Where a job without state starts reading its input topics. */
    public enum StartPosition {
        EARLIEST,
        LATEST,
        /** The group's committed offsets, earliest where there are none. */
        COMMITTED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Reads every engine option once, so that a value that does not parse fails before the job is
     * built, in one line that names the option and what would be right, e.g.
     * {@code linkage.delivery.guarantee: 'exactly_once' is not one of at-least-once, exactly-once}.
     *
     * @throws IllegalArgumentException with that line
     */
    public static void validate(ReadableConfig conf) {
        for (ConfigOption<?> option : ALL) {
            try {
                conf.get(option);
            } catch (IllegalArgumentException e) {
                String given = conf.toMap().get(option.key());
                Class<?> type = enumClass(option);
                String right = type != null
                        ? "is not one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "))
                        : "is not a valid " + simpleType(option) + " (" + rootMessage(e) + ")";
                throw new IllegalArgumentException(option.key() + ": '" + given + "' " + right, e);
            }
        }
    }

    private static Class<?> enumClass(ConfigOption<?> option) {
        Object d = option.hasDefaultValue() ? option.defaultValue() : null;
        return d instanceof Enum<?> en ? en.getDeclaringClass() : null;
    }

    private static String simpleType(ConfigOption<?> option) {
        Object d = option.hasDefaultValue() ? option.defaultValue() : null;
        if (d instanceof Duration) {
            return "duration (e.g. 5min, 200ms)";
        }
        return d == null ? "value" : d.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
