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
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/** Live mode's Kafka sources and sinks, built with Flink's Kafka connector from the engine options. */
public final class KafkaIO {

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

    /** One Kafka source per input stream (acknowledgements: the four provinces' topics), raw record values. */
    public static Map<StreamKind, DataStream<RawRecord>> sources(StreamExecutionEnvironment env, ReadableConfig conf, Properties props) {
        Topics topics = new Topics(conf.get(EngineOptions.TOPIC_PREFIX));
        Map<StreamKind, DataStream<RawRecord>> inputs = new EnumMap<>(StreamKind.class);
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
            List<String> read = s == StreamKind.ACK ? topics.acks() : List.of(topics.input(s));
            KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                    .setProperties(props)
                    .setTopics(read)
                    .setGroupId(conf.get(EngineOptions.KAFKA_GROUP))
                    .setClientIdPrefix("yrd-linkage-" + s.baseName())
                    .setStartingOffsets(startingOffsets(conf.get(EngineOptions.KAFKA_START)))
                    .setDeserializer(new RawRecords())
                    .build();
            inputs.put(s, env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka " + String.join(", ", read))
                    .uid("source-" + s.baseName()));
        }
        return inputs;
    }

    /** The rule-pack updates of the rules topic, read from the beginning of the topic so a restarted job sees the latest pack. */
    public static DataStream<RawRecord> ruleUpdates(StreamExecutionEnvironment env, ReadableConfig conf, Properties props) {
        Topics topics = new Topics(conf.get(EngineOptions.TOPIC_PREFIX));
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setProperties(props)
                .setTopics(topics.rules())
                .setGroupId(conf.get(EngineOptions.KAFKA_GROUP))
                .setClientIdPrefix("yrd-linkage-rules")
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecords())
                .build();
        return env.fromSource(source, RuleUpdates.timeless(), "kafka " + topics.rules()).setParallelism(1).uid("source-rules");
    }

    private static OffsetsInitializer startingOffsets(EngineOptions.StartPosition start) {
        return switch (start) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }

    /** Sinks to the per-recipient alert topics (JSON and CAP), the alert states, rule feedback and the dead-letter topic. */
    public static LinkageJob.Sinks sinks(ReadableConfig conf, Properties props) {
        Topics topics = new Topics(conf.get(EngineOptions.TOPIC_PREFIX));
        KafkaSink<KafkaRecord> sink = sink(conf, props);
        return new LinkageJob.Sinks() {
            private DataStream<KafkaRecord> out;

            private void add(DataStream<KafkaRecord> records) {
                out = out == null ? records : out.union(records);
            }

            @Override
            public void alerts(DataStream<AlertRevision> alerts) {
                add(alerts.flatMap((AlertRevision r, Collector<KafkaRecord> c) -> {
                    for (String recipient : r.recipients()) {
                        c.collect(new KafkaRecord(topics.alerts(recipient), utf8(r.alertId()), utf8(AlertJson.alert(r, recipient))));
                    }
                }).returns(KafkaRecord.class).name("alert records"));
            }

            @Override
            public void alertStates(DataStream<AlertRevision> revisions) {
                add(revisions.map(r -> new KafkaRecord(topics.alertsState(), utf8(r.alertId()), utf8(AlertJson.state(r))))
                        .returns(KafkaRecord.class).name("alert-state records"));
            }

            @Override
            public void ruleFeedback(DataStream<String> records) {
                add(records.map(r -> new KafkaRecord(topics.ruleFeedback(), utf8(feedbackKey(r)), utf8(r)))
                        .returns(KafkaRecord.class).name("rule-feedback records"));
            }

            @Override
            public boolean wantsCap() {
                return true;
            }

            @Override
            public void capDocuments(DataStream<CapDocument> documents) {
                add(documents.map(d -> new KafkaRecord(topics.cap(d.recipient()), utf8(d.alertId()), utf8(d.xml())))
                        .returns(KafkaRecord.class).name("CAP records"));
            }

            @Override
            public void finish() {
                out.sinkTo(sink).name("kafka alerts, CAP, dead letters").uid("sink-kafka");
            }

            @Override
            public void deadLetters(DataStream<DeadLetter> deadLetters) {
                add(deadLetters.map(d -> new KafkaRecord(topics.deadLetters(), utf8(d.stream().name()), utf8(AlertJson.deadLetter(d))))
                        .returns(KafkaRecord.class).name("dead-letter records"));
            }
        };
    }

    private static KafkaSink<KafkaRecord> sink(ReadableConfig conf, Properties props) {
        Properties producer = new Properties();
        producer.putAll(props);
        producer.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        producer.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        producer.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "600000");
        boolean exactlyOnce = conf.get(EngineOptions.DELIVERY) == EngineOptions.Delivery.EXACTLY_ONCE;
        var builder = KafkaSink.<KafkaRecord>builder()
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new RecordSerializer())
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE);
        if (exactlyOnce) {
            builder.setTransactionalIdPrefix(conf.get(EngineOptions.KAFKA_GROUP) + "-alerts");
        }
        return builder.build();
    }

    /**
     * Creates the contracted topics that are missing; inputs and outputs keep records regardless of
     * their (event) timestamps, and the keyed current-state topics (rule feedback, alert states) are compacted.
     */
    public static List<String> createTopics(ReadableConfig conf, Properties props) throws ExecutionException, InterruptedException {
        Topics topics = new Topics(conf.get(EngineOptions.TOPIC_PREFIX));
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics.all()) {
                if (!existing.contains(t)) {
                    Map<String, String> configs = t.equals(topics.ruleFeedback()) || t.equals(topics.alertsState())
                            ? Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime", TopicConfig.CLEANUP_POLICY_CONFIG, "compact")
                            : Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
                    missing.add(new NewTopic(t, conf.get(EngineOptions.KAFKA_PARTITIONS), conf.get(EngineOptions.KAFKA_REPLICATION).shortValue())
                            .configs(configs));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
            return missing.stream().map(NewTopic::name).toList();
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
