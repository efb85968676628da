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
import java.text.DecimalFormat;
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
import java.util.function.LongSupplier;

/**
 * The one-command demo: a real Kafka broker (a separate JVM, {@code deploy/local/kafka.sh}), the
 * live job on a local MiniCluster, and the scenario generator producing into the input topics;
 * it shows what happens in the terminal and on a self-contained HTML map, runs a companion (the
 * console) beside it, and stops everything it started on Ctrl-C or after the given duration.
 *
 * <p>The scenario's event time may run {@code speed} times faster than the wall clock, so that
 * acknowledgement SLAs (5 and 15 min) expire, and escalations follow, within a demo of a minute or
 * two. It then starts in the past and reaches the wall clock when the demo ends: the engine
 * dead-letters records stamped ahead of its clock (FUTURE). An hour boundary falls early in it,
 * so that the first hour's rule feedback is published during the demo. Watermarks then follow
 * the records only (not the wall clock, which is ahead of them): the provinces' acknowledgements,
 * simulated or clicked in the console, move the acknowledgement stream's.
 */
public final class Demo {

    /**
     * Something started beside the demo once its broker and engine run (the console): it is given
     * the broker's address and the scenario's clock, and returns the lines the terminal view shows
     * about it. Closed when the demo stops.
     */
    public interface Companion extends AutoCloseable {
        List<String> start(String bootstrap, LongSupplier scenarioClock) throws Exception;
    }

    private static final long HOUR_MS = 3_600_000L;
    /** How far into the scenario the first hour boundary falls, at most. */
    private static final long FIRST_HOUR_CLOSES_AFTER_MS = 10 * 60_000L;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Path work;
    private final int port;
    private final double rate;
    private final long seed;
    private final double speed;
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
    private List<String> banner = List.of();
    private volatile long wallStart;
    private volatile long scenarioStart;

    /**
     * @param speed scenario milliseconds per wall-clock millisecond (1: the scenario runs on the wall clock)
     */
    public Demo(Path home, int port, double rate, long seed, double speed, PrintStream out) {
        this.home = home;
        this.work = home.resolve("jobs/cli/target/demo");
        this.port = port;
        this.rate = rate;
        this.seed = seed;
        this.speed = speed;
        this.out = out;
        this.kafka = new LocalKafka(home, work, out);
    }

    /** Runs the demo and its companion for {@code duration} (or until the JVM is asked to stop); returns the provinces that received alerts. */
    public TreeSet<String> run(Duration duration, Companion companion) throws Exception {
        Files.createDirectories(work);
        stopBroker();
        deleteRecursively(work.resolve("work"));
        deleteRecursively(work.resolve("checkpoints"));
        Thread hook = new Thread(this::stopBroker, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        JobClient job = null;
        try {
            String bootstrap = startBroker();
            Configuration conf = LiveJob.withLocalClusterDefaults(engineConfiguration(bootstrap));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
            LiveJob.prepare(env, conf, RulePack.defaults());
            job = env.executeAsync("yrd-linkage demo");
            startClock(duration);
            banner = companion.start(bootstrap, () -> scenarioTime(System.currentTimeMillis()));
            out.println("demo: engine started; map at " + work.resolve("index.html").toUri()
                    + ", Flink web UI and REST at http://127.0.0.1:8081 (./linkage status)");
            banner.forEach(out::println);
            loop(bootstrap, duration);
        } finally {
            stopping.set(true);
            try {
                companion.close();
            } catch (Exception e) {
                out.println("demo: " + e.getMessage());
            }
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
        // the wall clock is ahead of a faster scenario: a quiet stream's watermark must not jump to it
        user.set(EngineOptions.CLOCK_ADVANCE, speed == 1);
        if (speed > 1) {
            // without the wall clock a stream's own records are its clock, and one stamped more than
            // the skew after the stream's latest waits for four later records to confirm it; the
            // acknowledgements come minutes of scenario time apart, and would wait past their deadlines
            user.set(EngineOptions.MAX_CLOCK_SKEW, Duration.ofDays(1));
        }
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
        ScenarioGenerator generator = new ScenarioGenerator(seed, rate, speed);
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
        long start = wallStart;
        long end = start + duration.toMillis();
        long nextView = start;
        generator.advance(scenarioTime(start));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer());
             KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(watched);
            while (!stopping.get() && System.currentTimeMillis() < end) {
                long now = System.currentTimeMillis();
                for (ScenarioGenerator.GeneratedRecord r : generator.advance(scenarioTime(now))) {
                    producer.send(new ProducerRecord<>(r.topic(topics), r.json()));
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
                    writeMap(scenarioTime(now));
                    nextView = now + 1000;
                }
            }
        }
        view(System.currentTimeMillis() - start, generator.planted().size());
        writeMap(scenarioTime(System.currentTimeMillis()));
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
        s.append(String.format(Locale.ROOT, "YRD linkage demo  %4ds  planted chains %d   scenario time x%s   (Ctrl-C stops)%n",
                elapsed / 1000, planted, new DecimalFormat("0.#").format(speed)));
        banner.forEach(line -> s.append(line).append(System.lineSeparator()));
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

    /**
     * Fixes the scenario's clock: at {@code speed} 1 the wall clock; faster, it starts in the past,
     * early enough to reach the wall clock no sooner than the end of the demo, and so that an hour
     * boundary falls at most 10 scenario minutes (or a third of the scenario) in.
     */
    private void startClock(Duration duration) {
        long wall = System.currentTimeMillis();
        long start = wall;
        if (speed > 1) {
            long latest = wall - (long) ((speed - 1) * duration.toMillis());
            long offset = Math.min(FIRST_HOUR_CLOSES_AFTER_MS, (long) (speed * duration.toMillis() / 3));
            start = Math.floorDiv(latest + offset, HOUR_MS) * HOUR_MS - offset;
        }
        scenarioStart = start;
        wallStart = wall;
    }

    /** The scenario's time at wall-clock time {@code wall}. */
    private long scenarioTime(long wall) {
        return scenarioStart + (long) ((wall - wallStart) * speed);
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
