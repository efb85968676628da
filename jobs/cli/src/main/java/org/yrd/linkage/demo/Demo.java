package org.yrd.linkage.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.live.LiveJob;
import org.yrd.linkage.demo.LocalKafka;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one-command demo: a real Kafka broker (a separate JVM, {@code deploy/local/kafka.sh}), the
 * live job on a local MiniCluster, and the scenario generator producing into the input topics;
 * it shows what happens in the terminal and on a self-contained HTML map, and stops everything it
 * started on Ctrl-C or after the given duration.
 */
public final class Demo {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Path work;
    private final int port;
    private final double rate;
    private final long seed;
    private final PrintStream out;
    private final LocalKafka kafka;
    private final AtomicBoolean stopping = new AtomicBoolean();

    private final Map<StreamKind, Long> produced = new EnumMap<>(StreamKind.class);
    private final Map<String, double[]> locations = new ConcurrentHashMap<>();
    private final Map<String, Long> producedAt = new ConcurrentHashMap<>();
    private final Map<String, Long> alertsByRecipient = new TreeMap<>();
    private final Deque<JsonNode> latest = new ArrayDeque<>();
    private final List<JsonNode> mapRecords = new ArrayList<>();
    private final Histogram latency = new Histogram(60_000, 2);
    private long deadLetters;
    private long escalations;
    private long alertRecords;

    public Demo(Path home, int port, double rate, long seed, PrintStream out) {
        this.home = home;
        this.work = home.resolve("jobs/cli/target/demo");
        this.port = port;
        this.rate = rate;
        this.seed = seed;
        this.out = out;
        this.kafka = new LocalKafka(home, work, out);
    }

    /** Runs the demo for {@code duration} (or until the JVM is asked to stop); returns the provinces that received alerts. */
    public TreeSet<String> run(Duration duration) throws Exception {
        Files.createDirectories(work);
        stopBroker();
        deleteRecursively(work.resolve("work"));
        deleteRecursively(work.resolve("checkpoints"));
        Thread hook = new Thread(this::stopBroker, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        JobClient job = null;
        try {
            String bootstrap = startBroker();
            Configuration conf = LiveJob.withLiveDefaults(engineConfiguration(bootstrap));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
            LiveJob.prepare(env, conf, RulePack.defaults());
            job = env.executeAsync("yrd-linkage demo");
            out.println("demo: engine started; map at " + work.resolve("index.html").toUri()
                    + ", Flink web UI and REST at http://127.0.0.1:8081 (./linkage status)");
            loop(bootstrap, duration);
        } finally {
            stopping.set(true);
            if (job != null) {
                try {
                    job.cancel().get();
                } catch (Exception e) {
                    out.println("demo: " + e.getMessage());
                }
            }
            stopBroker();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        TreeSet<String> provinces = new TreeSet<>(alertsByRecipient.keySet());
        provinces.remove("YRD");
        return provinces;
    }

    private Configuration engineConfiguration(String bootstrap) {
        Configuration user = new Configuration();
        user.set(EngineOptions.KAFKA_BOOTSTRAP, bootstrap);
        user.set(EngineOptions.KAFKA_CREATE_TOPICS, true);
        user.set(EngineOptions.KAFKA_START, EngineOptions.StartPosition.EARLIEST);
        user.set(EngineOptions.IDENTIFIER_DEV_KEY, true);
        user.setString("parallelism.default", "2");
        user.setString("execution.checkpointing.interval", "10 s");
        user.setString("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        user.setString("rest.bind-address", "127.0.0.1");
        user.setString("rest.port", "8081");
        user.setString("restart-strategy.type", "fixed-delay");
        return user;
    }

    private void loop(String bootstrap, Duration duration) throws Exception {
        Topics topics = new Topics("yrd.");
        ScenarioGenerator generator = new ScenarioGenerator(seed, rate);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "yrd-linkage-demo-view");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> watched = new ArrayList<>();
        Topics.RECIPIENTS.forEach(r -> watched.add(topics.alerts(r)));
        watched.add(topics.deadLetters());
        long start = System.currentTimeMillis();
        long end = start + duration.toMillis();
        long nextView = start;
        generator.advance(start);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer());
             KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(watched);
            while (!stopping.get() && System.currentTimeMillis() < end) {
                long now = System.currentTimeMillis();
                for (ScenarioGenerator.GeneratedRecord r : generator.advance(now)) {
                    producer.send(new ProducerRecord<>(r.stream() == StreamKind.ACK ? topics.acks(r.ackProvince()) : topics.input(r.stream()), r.json()));
                    produced.merge(r.stream(), 1L, Long::sum);
                    producedAt.put(r.id(), now);
                    if (!Double.isNaN(r.lat())) {
                        locations.put(r.id(), new double[] {r.lat(), r.lon()});
                    }
                }
                producer.flush();
                for (ConsumerRecord<String, String> c : consumer.poll(Duration.ofMillis(150))) {
                    take(c, topics);
                }
                if (now >= nextView) {
                    view(now - start, generator.planted().size());
                    writeMap(now);
                    nextView = now + 1000;
                }
            }
        }
        view(System.currentTimeMillis() - start, generator.planted().size());
        writeMap(System.currentTimeMillis());
    }

    private void take(ConsumerRecord<String, String> c, Topics topics) {
        if (c.topic().equals(topics.deadLetters())) {
            deadLetters++;
            return;
        }
        JsonNode a;
        try {
            a = JSON.readTree(c.value());
        } catch (IOException e) {
            return;
        }
        alertRecords++;
        alertsByRecipient.merge(a.path("recipient").asText(), 1L, Long::sum);
        if ("ESCALATION".equals(a.path("kind").asText()) && a.path("recipient").asText().equals("YRD")) {
            escalations++;
        }
        if ("ALERT".equals(a.path("msgType").asText()) && !"ESCALATION".equals(a.path("kind").asText())) {
            long last = 0;
            for (JsonNode e : a.path("evidence")) {
                last = Math.max(last, producedAt.getOrDefault(e.path("id").asText(), 0L));
            }
            if (last > 0) {
                latency.recordValue(Math.min(59_999, Math.max(0, System.currentTimeMillis() - last)));
            }
        }
        mapRecords.add(a);
        boolean known = latest.stream().anyMatch(l -> l.path("alertId").asText().equals(a.path("alertId").asText())
                && l.path("revision").asInt() == a.path("revision").asInt());
        if (!known) {
            latest.addFirst(a);
            while (latest.size() > 8) {
                latest.removeLast();
            }
        }
    }

    private void view(long elapsed, int planted) {
        StringBuilder s = new StringBuilder();
        if (System.console() != null) {
            s.append("\033[H\033[2J");
        }
        s.append(String.format(Locale.ROOT, "YRD linkage demo  %4ds  planted chains %d   (Ctrl-C stops)%n", elapsed / 1000, planted));
        s.append(String.format(Locale.ROOT, "in: sensors %,d  calls %,d  fraud %,d  acks %,d   dead letters %d%n",
                produced.getOrDefault(StreamKind.SENSOR, 0L), produced.getOrDefault(StreamKind.CALL, 0L),
                produced.getOrDefault(StreamKind.FRAUD, 0L), produced.getOrDefault(StreamKind.ACK, 0L), deadLetters));
        s.append("alerts by recipient:");
        alertsByRecipient.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
        s.append(String.format(Locale.ROOT, "   escalations %d   latency p50 %d ms p99 %d ms%n", escalations,
                latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(50),
                latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(99)));
        for (JsonNode a : latest) {
            s.append(String.format(Locale.ROOT, "  %-6s %-8s %-44s -> %-6s %s%n", a.path("msgType").asText(), a.path("severity").asText(),
                    a.path("alertId").asText(), a.path("recipient").asText(), a.path("summary").asText()));
        }
        out.print(s);
        out.flush();
    }

    private void writeMap(long now) {
        Map<String, Long> counters = new TreeMap<>();
        counters.put("input records", produced.values().stream().mapToLong(Long::longValue).sum());
        counters.put("alert records", alertRecords);
        counters.put("escalations", escalations);
        counters.put("dead letters", deadLetters);
        counters.put("p99 latency ms", latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(99));
        try {
            Path tmp = work.resolve("index.html.tmp");
            Files.writeString(tmp, DemoMap.html(mapRecords, id -> locations.get(id), counters, now), StandardCharsets.UTF_8);
            Files.move(tmp, work.resolve("index.html"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            out.println("demo: cannot write the map: " + e.getMessage());
        }
    }

    /** Every demo starts from empty topics and no checkpoint. */
    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private String startBroker() throws IOException, InterruptedException {
        return kafka.start(port);
    }

    private void stopBroker() {
        kafka.stop();
    }
}
