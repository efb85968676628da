package org.yrd.linkage.live;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alerting.AlertJson;
import org.yrd.linkage.alerting.CapDocument;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.runtime.RawRecord;
import org.yrd.linkage.engine.LinkageJob;
import org.yrd.linkage.engine.RuleUpdates;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.StreamKind;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * Live mode's Kafka sources and sinks, built with Flink's Kafka connector from the engine options.
 *
 * <p>Client settings let the job ride out a broker that is away for up to {@link #OUTAGE_BUDGET_MS}
 * (a restart, a leader election) without failing over: records wait in the producer, the sources
 * reconnect (Kafka's default backoff, at most 1 s, so they resume within a second of the broker's
 * return), and checkpoints take as long as the outage. Beyond the budget the job fails over and
 * restarts from its last checkpoint as its restart strategy allows, losing nothing
 * ({@code deploy/local/broker-fault-test.sh} stops a broker for 30 s under the running job).
 * Failed checkpoints are not tolerated beyond Flink's default: during an outage a checkpoint only
 * waits, and fails only when a Kafka call has run out of this same budget.
 */
public final class KafkaIO {

    /**
     * How long a Kafka client waits through an outage before it gives up, in ms (2 min): the
     * producer for a record ({@code delivery.timeout.ms}, Kafka's default) and for metadata, a
     * transaction's start or commit ({@code max.block.ms}, 60 s by default); the sources' consumers
     * and partition discovery for their calls ({@code default.api.timeout.ms}, 60 s by default).
     * One budget for all, so that no call gives up first and fails the job over while the others
     * still wait. It is also how long an alert topic deleted under the job takes to show
     * ({@link SendFailureLog}): its records wait for it like for a broker.
     */
    static final String OUTAGE_BUDGET_MS = "120000";

    private KafkaIO() {}

    /** Kafka client properties given as {@code linkage.kafka.properties.*}, plus the bootstrap servers. */
    public static Properties clientProperties(ReadableConfig conf) {
        Properties p = new Properties();
        for (Map.Entry<String, String> e : conf.toMap().entrySet()) {
            if (e.getKey().startsWith(EngineOptions.KAFKA_PROPERTIES_PREFIX)) {
                p.setProperty(e.getKey().substring(EngineOptions.KAFKA_PROPERTIES_PREFIX.length()), e.getValue());
            }
        }
        p.setProperty("bootstrap.servers", bootstrap(conf));
        return p;
    }

    static String bootstrap(ReadableConfig conf) {
        return conf.getOptional(EngineOptions.KAFKA_BOOTSTRAP).orElseThrow(
                () -> new IllegalArgumentException(EngineOptions.KAFKA_BOOTSTRAP.key() + " is not set"));
    }

    private static final Set<StreamKind> LOW_RATE = Set.of(StreamKind.FRAUD, StreamKind.ACK);

    /**
     * One Kafka source per input stream (acknowledgements: the four provinces' topics), raw record
     * values. The fraud reports and acknowledgements are read by one subtask, whatever the job's
     * parallelism, and are ingested by one ({@link LinkageJob}: ingestion runs at its source's
     * parallelism): acknowledgements come a few per alert, and fraud reports can go no faster than
     * CYB-LINK, whose one key runs in one subtask at a few thousand reports a second, far less
     * than one ingestion subtask takes. A second subtask of each cost an idle job four more tasks,
     * each with its timers, watermarks and checkpoints (BENCHMARKS.md, "Idle").
     */
    public static Map<StreamKind, DataStream<RawRecord>> sources(StreamExecutionEnvironment env, ReadableConfig conf, Properties props) {
        Topics topics = new Topics(conf.get(EngineOptions.TOPIC_PREFIX));
        Map<StreamKind, DataStream<RawRecord>> inputs = new EnumMap<>(StreamKind.class);
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
            List<String> read = topics.inputs(s);
            KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                    .setProperties(consumer(props))
                    .setTopics(read)
                    .setGroupId(conf.get(EngineOptions.KAFKA_GROUP))
                    .setClientIdPrefix("yrd-linkage-" + s.baseName())
                    .setStartingOffsets(startingOffsets(conf.get(EngineOptions.KAFKA_START)))
                    .setDeserializer(new RawRecords())
                    .build();
            DataStreamSource<RawRecord> stream = env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka " + String.join(", ", read));
            if (LOW_RATE.contains(s)) {
                stream.setParallelism(1);
            }
            inputs.put(s, stream.uid("source-" + s.baseName()));
        }
        return inputs;
    }

    /**
     * The rule-pack updates of the rules topic. A job without state reads the topic from its
     * beginning, whatever the group has committed, so that the last valid pack on it is in force
     * again (the topic is compacted, key = pack id); a restored job goes on from its own offsets.
     */
    public static DataStream<RawRecord> ruleUpdates(StreamExecutionEnvironment env, ReadableConfig conf, Properties props) {
        Topics topics = new Topics(conf.get(EngineOptions.TOPIC_PREFIX));
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setProperties(consumer(props))
                .setTopics(topics.rules())
                .setGroupId(conf.get(EngineOptions.KAFKA_GROUP))
                .setClientIdPrefix("yrd-linkage-rules")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RawRecords())
                .build();
        return env.fromSource(source, RuleUpdates.timeless(), "kafka " + topics.rules()).setParallelism(1).uid("source-rules");
    }

    /** The sources' client properties: {@code props} with the outage budget. */
    private static Properties consumer(Properties props) {
        Properties consumer = new Properties();
        consumer.putAll(props);
        consumer.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, OUTAGE_BUDGET_MS);
        // an empty fetch waits at the broker for 5 s instead of 0.5 s: a record still returns it at
        // once (fetch.min.bytes 1), and an idle job's nine consumers ask ten times less often
        consumer.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5000");
        return consumer;
    }

    private static OffsetsInitializer startingOffsets(EngineOptions.StartPosition start) {
        return switch (start) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }

    /**
     * One Kafka sink per output kind, each named after its topics, so that a write that fails names
     * its output in the job's failure (./linkage status shows it), and alerts are written by the task
     * that escalates them instead of crossing the network to a sink shared with the side outputs. A
     * failing sink fails the job (README.md, "A failing output"): nothing the engine owes a province
     * or an analyst is dropped.
     */
    public static LinkageJob.Sinks sinks(ReadableConfig conf, Properties props) {
        Topics topics = new Topics(conf.get(EngineOptions.TOPIC_PREFIX));
        return new LinkageJob.Sinks() {
            @Override
            public void alerts(DataStream<AlertRevision> alerts) {
                // each revision to its recipients' topics, and once more as the alert's current state on
                // the compacted alerts-state topic (key alert id): one task writes an alert id's revisions,
                // in order, so the record compaction keeps is the latest.
                // "sink-kafka": the uid of the one sink that earlier versions had, whose state this sink restores
                alerts.flatMap((AlertRevision r, Collector<KafkaRecord> c) -> {
                    for (String recipient : r.recipients()) {
                        c.collect(new KafkaRecord(topics.alerts(recipient), utf8(r.alertId()), utf8(AlertJson.alert(r, recipient))));
                    }
                    c.collect(new KafkaRecord(topics.alertsState(), utf8(r.alertId()), utf8(AlertJson.state(r))));
                }).returns(KafkaRecord.class).name("alert records")
                        .sinkTo(sink(conf, props, Output.ALERTS)).name("kafka " + topics.alerts("<recipient>") + ", " + topics.alertsState()).uid("sink-kafka");
            }

            @Override
            public void ruleFeedback(DataStream<String> records) {
                records.map(r -> new KafkaRecord(topics.ruleFeedback(), utf8(feedbackKey(r)), utf8(r)))
                        .returns(KafkaRecord.class).name("rule-feedback records")
                        .sinkTo(sink(conf, props, Output.RULE_FEEDBACK)).name("kafka " + topics.ruleFeedback()).uid("sink-rule-feedback");
            }

            @Override
            public boolean wantsCap() {
                return true;
            }

            @Override
            public void capDocuments(DataStream<CapDocument> documents) {
                documents.map(d -> new KafkaRecord(topics.cap(d.recipient()), utf8(d.alertId()), utf8(d.xml())))
                        .returns(KafkaRecord.class).name("CAP records")
                        .sinkTo(sink(conf, props, Output.CAP)).name("kafka " + topics.cap("<recipient>")).uid("sink-cap");
            }

            @Override
            public void deadLetters(DataStream<DeadLetter> deadLetters) {
                // one producer: dead letters come from every step of the graph, a few a second
                deadLetters.map(d -> new KafkaRecord(topics.deadLetters(), utf8(d.stream().name()), utf8(AlertJson.deadLetter(d))))
                        .returns(KafkaRecord.class).name("dead-letter records").setParallelism(1)
                        .sinkTo(sink(conf, props, Output.DEAD_LETTERS)).name("kafka " + topics.deadLetters()).uid("sink-deadletter")
                        .setParallelism(1);
            }
        };
    }

    /** The engine's outputs, one Kafka sink each. */
    enum Output {
        ALERTS("alerts"), CAP("cap"), DEAD_LETTERS("deadletter"), RULE_FEEDBACK("rule-feedback");

        /** Distinct per output, and none a prefix of another's, so no sink ever takes another's transactions for its own. */
        final String transactionalIdSuffix;

        Output(String transactionalIdSuffix) {
            this.transactionalIdSuffix = transactionalIdSuffix;
        }
    }

    /** The transactional-id prefix of each output's exactly-once sink: {@code <group-id>-<output>} (the ACLs must allow them). */
    static List<String> transactionalIdPrefixes(ReadableConfig conf) {
        return Arrays.stream(Output.values()).map(o -> conf.get(EngineOptions.KAFKA_GROUP) + "-" + o.transactionalIdSuffix).toList();
    }

    private static KafkaSink<KafkaRecord> sink(ReadableConfig conf, Properties props, Output output) {
        Properties producer = new Properties();
        producer.putAll(props);
        producer.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        producer.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        producer.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "600000");
        producer.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, OUTAGE_BUDGET_MS);
        producer.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, OUTAGE_BUDGET_MS);
        String interceptors = producer.getProperty(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, "");
        producer.setProperty(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG,
                (interceptors.isBlank() ? "" : interceptors + ",") + SendFailureLog.class.getName());
        boolean exactlyOnce = conf.get(EngineOptions.DELIVERY) == EngineOptions.Delivery.EXACTLY_ONCE;
        var builder = KafkaSink.<KafkaRecord>builder()
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new RecordSerializer())
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE);
        if (exactlyOnce) {
            builder.setTransactionalIdPrefix(conf.get(EngineOptions.KAFKA_GROUP) + "-" + output.transactionalIdSuffix);
        }
        return builder.build();
    }

    /**
     * Creates the contracted topics that are missing, as {@link Topics#specs()} declares them
     * (partitions, compaction, retention, LogAppendTime); the replication factor is the cluster's
     * ({@link EngineOptions#KAFKA_REPLICATION}).
     */
    public static List<String> createTopics(ReadableConfig conf, Properties props) throws ExecutionException, InterruptedException {
        Topics topics = new Topics(conf.get(EngineOptions.TOPIC_PREFIX));
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (Topics.Spec t : topics.specs()) {
                if (!existing.contains(t.name())) {
                    missing.add(new NewTopic(t.name(), t.partitions(), conf.get(EngineOptions.KAFKA_REPLICATION).shortValue()).configs(t.configs()));
                }
            }
            List<String> names = missing.stream().map(NewTopic::name).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
                awaitVisible(admin, names);
            }
            return names;
        }
    }

    /**
     * Waits until the brokers describe every one of {@code topics}: creation returns once the
     * controller has them, and a broker learns of them a moment later.
     */
    static void awaitVisible(Admin admin, List<String> topics) throws ExecutionException, InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                admin.describeTopics(topics).allTopicNames().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Checks, before the job is built, that every contracted topic exists and that this job's Kafka
     * user may read its inputs and write its outputs. A topic or an ACL missing from a deployment
     * would otherwise fail the running job at its first record for that topic, and again after
     * every restart.
     *
     * @throws IllegalStateException one line naming each topic that cannot be used, and why
     */
    public static void checkTopics(ReadableConfig conf, Properties props) throws InterruptedException {
        Topics topics = new Topics(conf.get(EngineOptions.TOPIC_PREFIX));
        List<String> problems = new ArrayList<>();
        try (Admin admin = Admin.create(props)) {
            Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics.all(),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
            for (Topics.Spec t : topics.specs()) {
                try {
                    // null: the broker does not say (no authorizer), so every operation is allowed
                    Set<AclOperation> allowed = described.get(t.name()).get().authorizedOperations();
                    if (allowed != null && t.readers().contains(Topics.ENGINE) && !allowed.contains(AclOperation.READ)) {
                        problems.add(t.name() + " may not be read by this job's Kafka user");
                    }
                    if (allowed != null && t.writers().contains(Topics.ENGINE) && !allowed.contains(AclOperation.WRITE)) {
                        problems.add(t.name() + " may not be written by this job's Kafka user");
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        problems.add(t.name() + " does not exist");
                    } else if (e.getCause() instanceof TopicAuthorizationException) {
                        problems.add(t.name() + " may not be described by this job's Kafka user");
                    } else {
                        throw new IllegalStateException("kafka at " + bootstrap(conf) + ": cannot describe " + t.name() + ": " + e.getCause(), e);
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("kafka at " + bootstrap(conf) + ": " + String.join("; ", problems) + " ("
                    + EngineOptions.KAFKA_CREATE_TOPICS.key() + " creates missing topics; deploy/k8s/kafka-topics.yaml and kafka-users.yaml declare topics and ACLs)");
        }
    }

    /**
     * The contracted topics that the broker says do not exist, e.g. to explain why a job stopped;
     * empty when none is missing or the broker cannot tell within 10 s.
     */
    public static List<String> missingTopics(ReadableConfig conf, Properties props) {
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics(new ListTopicsOptions().timeoutMs(10_000)).names().get();
            return new Topics(conf.get(EngineOptions.TOPIC_PREFIX)).all().stream().filter(t -> !existing.contains(t)).toList();
        } catch (ExecutionException | RuntimeException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** {@code ruleId|hourStart}, the key under which the latest figure of a rule and hour is kept. */
    static String feedbackKey(String record) {
        int r = record.indexOf("\"ruleId\":\"") + 10;
        int h = record.indexOf("\"hourStart\":") + 12;
        return record.substring(r, record.indexOf('"', r)) + '|' + record.substring(h, record.indexOf(',', h));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Record values as they are, with topic, partition and offset for the dead letter a record may
     * become; a null value (tombstone) becomes an empty record, dead-lettered downstream.
     */
    static final class RawRecords implements KafkaRecordDeserializationSchema<RawRecord> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
            byte[] value = record.value() == null ? new byte[0] : record.value();
            out.collect(new RawRecord(value, record.topic(), record.partition(), record.offset()));
        }

        @Override
        public TypeInformation<RawRecord> getProducedType() {
            return TypeInformation.of(RawRecord.class);
        }
    }

    /** Topic and key from the record; no timestamp, so the broker's clock stamps it (never an old event time). */
    static final class RecordSerializer implements KafkaRecordSerializationSchema<KafkaRecord> {
        @Override
        public ProducerRecord<byte[], byte[]> serialize(KafkaRecord r, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(r.topic(), null, null, r.key(), r.value());
        }
    }
}
