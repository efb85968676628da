package org.yrd.linkage.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.PatternStream;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.region.Geo;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.rules.RulePack;

import java.io.Serializable;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The peer of {@code ./linkage bench peer}: a plain Flink CEP job for a cascade-like pattern, as a
 * Flink user would write it without the engine. A sensor breach followed by 3 related calls within
 * 15 km and 30 min, keyed by grid cell:
 *
 * <pre>
 * Pattern.begin("breach").where(reading at or over its kind's threshold)
 *        .followedBy("calls").where(category related to the breach's kind, within 15 km of it).times(3)
 *        .within(30 min)
 * </pre>
 *
 * <p>Cells are 15 km squares; a breach is keyed by its own cell and each relevant call is sent to
 * the 3x3 cells around it, so every call within 15 km of a breach reaches the breach's key.
 * Thresholds and related categories are the default rule pack's. Records are bound with Jackson
 * into a tree and dropped before the shuffle unless they are a breach or a relevant call, as the
 * engine drops them at ingestion. Nothing else of the engine is here: no placement in cities, no
 * dead letters, no de-duplication, no revisions, no escalation, no rule updates.
 *
 * <p>Live ({@link #live}), it runs either in processing time, matching each event on arrival
 * (the fastest a CEP job can alert, in arrival order, which is not ts order across topics), or
 * in event time with a short out-of-orderness bound: CEP releases an event only when the
 * watermark passes it, so the bound is added to every alert's latency (the engine's bound is 5
 * minutes). Over files ({@link #files}) it runs in event time with the engine's 5-minute bound,
 * as replay does.
 */
final class CepPeer {

    static final double RADIUS_KM = 15;
    static final Duration WINDOW = Duration.ofMinutes(30);
    static final int CALLS = 3;
    /** How a match's record begins; the alert id (the engine's for the same chain) follows, and is the record's key. */
    private static final String ALERT_ID = "{\"alertId\":\"";
    private static final double CELL_LAT = RADIUS_KM / 111.2;
    private static final double CELL_LON = RADIUS_KM / (111.2 * Math.cos(Math.toRadians(31)));

    private CepPeer() {}

    /** An input event of the peer: a breach or a relevant call, and the cell it is keyed by. A POJO. */
    public static final class Ev implements Serializable {
        public String id;
        public boolean breach;
        /** Sensor kind of a breach, call category of a call. */
        public String kind;
        public long ts;
        public double lat;
        public double lon;
        public long cell;

        public Ev() {}

        Ev copy(long cell) {
            Ev e = new Ev();
            e.id = id;
            e.breach = breach;
            e.kind = kind;
            e.ts = ts;
            e.lat = lat;
            e.lon = lon;
            e.cell = cell;
            return e;
        }
    }

    /**
     * The live peer: the engine's input topics in, one record per match on the YRD alert topic (key =
     * the engine's alert id). With {@code bound} null it matches in processing time, in arrival order;
     * otherwise in event time, with watermarks {@code bound} behind the largest ts of each partition.
     */
    static void live(StreamExecutionEnvironment env, String bootstrap, String sensorTopic, String callTopic, String alertTopic,
                     Duration bound) {
        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(List.of(sensorTopic, callTopic))
                .setGroupId("cep-peer")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();
        PatternStream<Ev> matches;
        if (bound == null) {
            DataStream<Ev> events = env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka " + sensorTopic + ", " + callTopic)
                    .flatMap(new Parse()).returns(Ev.class).name("parse, filter, cells");
            matches = CEP.pattern(events.keyBy(e -> e.cell), pattern()).inProcessingTime();
        } else {
            env.getConfig().setAutoWatermarkInterval(50);
            DataStream<Ev> events = env.fromSource(source, WatermarkStrategy.<String>forBoundedOutOfOrderness(bound)
                                    .withTimestampAssigner((line, previous) -> Parse.ts(line)).withIdleness(Duration.ofSeconds(5)),
                            "kafka " + sensorTopic + ", " + callTopic)
                    .flatMap(new Parse()).returns(Ev.class).name("parse, filter, cells");
            matches = CEP.pattern(events.keyBy(e -> e.cell), pattern());
        }
        DataStream<String> alerts = matches.<String>flatSelect((m, out) -> {
            Ev b = m.get("breach").get(0);
            out.collect(ALERT_ID + "INC-CASCADE:" + b.id + "\",\"emittedAt\":" + System.currentTimeMillis() + "}");
        }, Types.STRING).name("cascade (CEP)");
        alerts.sinkTo(KafkaSink.<String>builder()
                .setBootstrapServers(bootstrap)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setKafkaProducerConfig(lingerZero())
                .setRecordSerializer(KafkaRecordSerializationSchema.<String>builder()
                        .setTopic(alertTopic)
                        .setKeySerializationSchema(v -> v.substring(ALERT_ID.length(), v.indexOf('"', ALERT_ID.length()))
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .build()).name("kafka " + alertTopic);
    }

    /** The peer over replay files (sensor readings and calls), in event time; each match counted into {@code matches}. */
    static void files(StreamExecutionEnvironment env, List<java.nio.file.Path> inputs, java.util.concurrent.atomic.AtomicLong matches) {
        DataStream<Ev> events = null;
        for (java.nio.file.Path p : inputs) {
            // a watermark per file, so that the one read faster does not make the other's events late
            DataStream<Ev> s = env.fromSource(FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(p.toUri())).build(),
                            WatermarkStrategy.noWatermarks(), "file " + p.getFileName())
                    .flatMap(new Parse()).returns(Ev.class).name("parse, filter, cells")
                    .assignTimestampsAndWatermarks(WatermarkStrategy.<Ev>forBoundedOutOfOrderness(Duration.ofMinutes(5))
                            .withTimestampAssigner((e, previous) -> e.ts));
            events = events == null ? s : events.union(s);
        }
        CEP.pattern(events.keyBy(e -> e.cell), pattern())
                .<String>flatSelect((m, out) -> Counter.MATCHES.incrementAndGet(), Types.STRING).name("cascade (CEP)")
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>()).name("discard");
        Counter.MATCHES = matches;
    }

    /** Where the file run counts its matches (one JVM: the MiniCluster runs in the benchmark's). */
    static final class Counter {
        static java.util.concurrent.atomic.AtomicLong MATCHES = new java.util.concurrent.atomic.AtomicLong();
    }

    static Pattern<Ev, Ev> pattern() {
        Map<SensorKind, Set<CallCategory>> related = related(RulePack.defaults());
        return Pattern.<Ev>begin("breach", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(e -> e.breach))
                .followedBy("calls").where(new IterativeCondition<>() {
                    @Override
                    public boolean filter(Ev call, Context<Ev> ctx) throws Exception {
                        if (call.breach) {
                            return false;
                        }
                        for (Ev b : ctx.getEventsForPattern("breach")) {
                            return related.get(SensorKind.valueOf(b.kind)).contains(CallCategory.valueOf(call.kind))
                                    && Geo.distanceKm(b.lat, b.lon, call.lat, call.lon) <= RADIUS_KM;
                        }
                        return false;
                    }
                }).times(CALLS)
                .within(WINDOW);
    }

    private static Map<SensorKind, Set<CallCategory>> related(RulePack pack) {
        Map<SensorKind, Set<CallCategory>> m = new EnumMap<>(SensorKind.class);
        for (SensorKind k : SensorKind.values()) {
            Set<CallCategory> s = EnumSet.noneOf(CallCategory.class);
            for (CallCategory c : CallCategory.values()) {
                if (pack.related(k, c)) {
                    s.add(c);
                }
            }
            m.put(k, s);
        }
        return m;
    }

    private static java.util.Properties lingerZero() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("linger.ms", "0");
        return p;
    }

    /** JSON line -> a breach (own cell) or a relevant call (3x3 cells around it); anything else dropped. */
    static final class Parse extends RichFlatMapFunction<String, Ev> {
        private transient ObjectMapper json;
        private transient Map<SensorKind, Double> thresholds;
        private transient Set<CallCategory> relevant;

        @Override
        public void open(OpenContext context) {
            json = new ObjectMapper();
            RulePack pack = RulePack.defaults();
            thresholds = new EnumMap<>(SensorKind.class);
            pack.hazards().forEach((k, h) -> thresholds.put(k, h.threshold()));
            relevant = EnumSet.noneOf(CallCategory.class);
            related(pack).values().forEach(relevant::addAll);
        }

        @Override
        public void flatMap(String line, Collector<Ev> out) {
            JsonNode n;
            try {
                n = json.readTree(line);
            } catch (Exception malformed) {
                return;
            }
            if (n == null || !n.path("lat").isNumber() || !n.path("lon").isNumber() || !n.path("ts").canConvertToLong()) {
                return;
            }
            Ev e = new Ev();
            e.id = n.path("id").asText();
            e.ts = n.path("ts").asLong();
            e.lat = n.path("lat").asDouble();
            e.lon = n.path("lon").asDouble();
            long row = (long) Math.floor(e.lat / CELL_LAT);
            long col = (long) Math.floor(e.lon / CELL_LON);
            if (n.has("sensorId")) {
                SensorKind kind;
                try {
                    kind = SensorKind.valueOf(n.path("kind").asText());
                } catch (IllegalArgumentException unknown) {
                    return;
                }
                Double threshold = thresholds.get(kind);
                if (threshold == null || n.path("value").asDouble() < threshold) {
                    return;
                }
                e.breach = true;
                e.kind = kind.name();
                e.cell = cell(row, col);
                out.collect(e);
            } else if (n.has("category")) {
                CallCategory category;
                try {
                    category = CallCategory.valueOf(n.path("category").asText());
                } catch (IllegalArgumentException unknown) {
                    return;
                }
                if (!relevant.contains(category)) {
                    return;
                }
                e.kind = category.name();
                for (int dr = -1; dr <= 1; dr++) {
                    for (int dc = -1; dc <= 1; dc++) {
                        out.collect(e.copy(cell(row + dr, col + dc)));
                    }
                }
            }
        }

        /** The ts of a record line, read without binding it (the watermark's timestamp assigner); 0 when it has none. */
        static long ts(String line) {
            int i = line.indexOf("\"ts\":");
            if (i < 0) {
                return 0;
            }
            long v = 0;
            for (int j = i + 5; j < line.length() && Character.isDigit(line.charAt(j)); j++) {
                v = v * 10 + line.charAt(j) - '0';
            }
            return v;
        }

        private static long cell(long row, long col) {
            return row * 1_000_003L + col;
        }
    }
}
