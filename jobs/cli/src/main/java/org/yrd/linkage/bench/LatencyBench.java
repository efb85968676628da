package org.yrd.linkage.bench;

import org.yrd.linkage.demo.LocalKafka;

import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.live.KafkaIO;
import org.yrd.linkage.live.LiveJob;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.ops.FlinkRest;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Live latency: from producing an event to Kafka to its alert record being readable by a consumer.
 *
 * <p>Starts a broker with {@code deploy/local/kafka.sh} on free loopback ports, the live job on a
 * local MiniCluster (parallelism 2, RocksDB under the changelog state backend, checkpoints every
 * 10 s, at-least-once: {@link LiveJob#withLocalClusterDefaults}), then, for
 * each target rate in turn, produces a background load at that rate (sub-threshold sensor readings
 * from a fleet of 2,000 sensors and 110 calls of categories no rule uses, all stamped with the
 * current time: parsed, placed and dropped at ingestion) and every {@code chainEvery} one planted
 * INC-CASCADE chain: a breach, then three related calls at the same place, at its own site and
 * sensor, with unique ids. The load and the chains have a producer each: the load's batches its
 * records ({@link #loadLingerMs}), the chains' sends each at once. The third call completes the
 * chain; the time from just before it is handed to the producer to the moment the consumer of the
 * alert topics reads the first record of that alert goes into an HdrHistogram per rate. After each
 * rate it waits up to 10 s for the alerts still due, the background load still flowing. Stops the
 * job and the broker at the end and on Ctrl-C.
 */
public final class LatencyBench {

    /** Target: p99 <= 50 ms at 20,000 events/s ... */
    public static final double P99_TARGET_MS = 50;
    /** ... and p99.9 <= 100 ms. */
    public static final double P999_TARGET_MS = 100;
    public static final int P99_TARGET_RATE = 20_000;

    private static final SensorKind[] CHAIN_KINDS = {SensorKind.GAS, SensorKind.WATER_LEVEL, SensorKind.WATER_QUALITY, SensorKind.STRUCTURAL};
    private static final CallCategory[] CHAIN_CALLS = {CallCategory.GAS_LEAK, CallCategory.FLOOD, CallCategory.POLLUTION, CallCategory.COLLAPSE};
    private static final CallCategory[] UNUSED_CALLS = {CallCategory.OTHER, CallCategory.MISSING_PERSON, CallCategory.FRAUD};

    /** The figures of one target rate. */
    public static final class Phase {
        final String name;
        final int rate;
        final Histogram latencyMicros = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        /** Produce to the engine's emittedAt stamp, and emittedAt to consumed (milliseconds, wall clock). */
        final Histogram toEmitMillis = new Histogram(120_000, 3);
        final Histogram fromEmitMillis = new Histogram(120_000, 3);
        final List<Histogram> windows = new ArrayList<>();
        long sent;
        long chains;
        double seconds;
        long startNanos;

        Phase(String name, int rate) {
            this.name = name;
            this.rate = rate;
        }

        synchronized void record(long sentNanos, long micros, long toEmit, long fromEmit) {
            latencyMicros.recordValue(Math.min(latencyMicros.getHighestTrackableValue(), Math.max(0, micros)));
            if (toEmit >= 0 && fromEmit >= 0) {
                toEmitMillis.recordValue(Math.min(120_000, toEmit));
                fromEmitMillis.recordValue(Math.min(120_000, fromEmit));
            }
            int w = (int) ((sentNanos - startNanos) / 10_000_000_000L);
            while (windows.size() <= w) {
                windows.add(new Histogram(TimeUnit.SECONDS.toMicros(120), 2));
            }
            windows.get(w).recordValue(Math.min(TimeUnit.SECONDS.toMicros(120), Math.max(0, micros)));
        }
    }

    private record Expect(long sentNanos, long sentMillis, Phase phase) {}

    /** The job whose latency is measured: the engine's live job, or {@link CepPeer}'s. */
    public enum Target {
        ENGINE("yrd-linkage latency bench", null),
        CEP_PEER("flink-cep peer (processing time) latency bench", null),
        CEP_PEER_EVENT_TIME("flink-cep peer (event time, 1 s bound) latency bench", Duration.ofSeconds(1));

        final String jobName;
        /** The peer's out-of-orderness bound, null for processing time. */
        final Duration bound;

        Target(String jobName, Duration bound) {
            this.jobName = jobName;
            this.bound = bound;
        }
    }

    private Target target = Target.ENGINE;
    private final List<Phase> measured = new ArrayList<>();
    private PrintStream trace;
    private int loadLingerMs = 5;

    /**
     * How long the background load's producer lets records wait to share a request ({@code linger.ms}):
     * by default Kafka 4's own default, 5 ms, as a gateway sending thousands of records a second would
     * run. With 0 every few records make a request of their own, and the broker, sharing the machine's
     * cores with the job under test, spends most of a core on them. Chains are sent through a producer
     * of their own that never lingers, so the latency measured does not include this wait.
     */
    public LatencyBench loadLingerMs(int loadLingerMs) {
        if (loadLingerMs < 0) {
            throw new IllegalArgumentException("linger.ms must be >= 0, not " + loadLingerMs);
        }
        this.loadLingerMs = loadLingerMs;
        return this;
    }

    /** Writes one line per alerted chain to {@code trace}: phase, wall-clock send time, latency and its split. */
    public LatencyBench trace(PrintStream trace) {
        this.trace = trace;
        return this;
    }

    /** Measures {@code target} instead of the engine. */
    public LatencyBench target(Target target) {
        this.target = target;
        return this;
    }

    /** The phases of the last {@link #run}, for a caller that sets them beside another run's. */
    List<Phase> phases() {
        return measured;
    }

    private final Path home;
    private final Path work;
    private final PrintStream out;
    private final Map<String, Expect> expected = new ConcurrentHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicLong alertRecords = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final SplittableRandom rng = new SplittableRandom(42);
    private final StringBuilder sb = new StringBuilder(512);
    private final String tag = Long.toString(System.currentTimeMillis() / 1000 % 1_000_000, 36);
    private List<Places.Point> sites;
    private List<Places.Point> pool;
    private Places.Point[] fleet;
    private SensorKind[] fleetKinds;
    private double[] fleetLevels;
    private long ids;
    private long chainCount;

    public LatencyBench(Path home, PrintStream out) {
        this.home = home;
        this.work = home.resolve("jobs/cli/target/bench/latency");
        this.out = out;
    }

    /** Runs the phases; returns 0 when the p99 and p99.9 targets are met at their rate, 3 when not. */
    public int run(List<Integer> rates, Duration duration, Duration warmUp, Duration chainEvery, int parallelism,
                   Duration checkpointInterval, Map<String, String> settings) throws Exception {
        out.println(Machine.describe());
        SplittableRandom placing = new SplittableRandom(7);
        pool = Places.pool(placing, 20_000);
        sites = Places.sites(placing, 20, 2000, 40_000);
        fleet = new Places.Point[2000];
        fleetKinds = new SensorKind[fleet.length];
        fleetLevels = new double[fleet.length];
        for (int i = 0; i < fleet.length; i++) {
            fleet[i] = pool.get(placing.nextInt(pool.size()));
            fleetKinds[i] = SensorKind.values()[placing.nextInt(SensorKind.values().length)];
            fleetLevels[i] = 0.2 + 0.6 * placing.nextDouble();
        }
        out.printf(Locale.ROOT, "settings: parallelism %d, checkpoints every %d s, at-least-once, "
                        + "a chain every %d ms over %d sites >= 20 km apart (its own producer, linger.ms 0), "
                        + "background load with linger.ms %d, warm-up %d s, %d s per rate%n",
                parallelism, checkpointInterval.toSeconds(), chainEvery.toMillis(), sites.size(), loadLingerMs,
                warmUp.toSeconds(), duration.toSeconds());
        if (!settings.isEmpty()) {
            out.println("set: " + settings);
        }

        Files.createDirectories(work);
        ReplayBench.deleteTree(work.resolve("work"));
        ReplayBench.deleteTree(work.resolve("checkpoints"));
        int port = freePortPair();
        Thread hook = new Thread(this::stopBroker, "latency-bench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        JobClient job = null;
        List<Phase> phases = measured;
        phases.clear();
        try {
            long t0 = System.nanoTime();
            String bootstrap = new LocalKafka(home, work, out).start(port);
            int restPort = freePortPair(); // after the broker has bound its two ports
            out.printf(Locale.ROOT, "broker up on %s in %.1f s%n", bootstrap, (System.nanoTime() - t0) / 1e9);

            Configuration user = new Configuration();
            user.set(EngineOptions.KAFKA_BOOTSTRAP, bootstrap);
            user.set(EngineOptions.KAFKA_CREATE_TOPICS, true);
            user.set(EngineOptions.KAFKA_START, EngineOptions.StartPosition.EARLIEST);
            user.set(EngineOptions.IDENTIFIER_DEV_KEY, true);
            user.setString("parallelism.default", Integer.toString(parallelism));
            user.setString("execution.checkpointing.interval", checkpointInterval.toMillis() + " ms");
            user.setString("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
            user.setString("rest.bind-address", "127.0.0.1");
            user.setString("rest.bind-port", Integer.toString(restPort));
            user.setString("restart-strategy.type", "none");
            user.addAll(Configuration.fromMap(settings));
            Configuration conf = LiveJob.withLocalClusterDefaults(user);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
            Topics topics = new Topics(conf.get(EngineOptions.TOPIC_PREFIX));
            if (target == Target.ENGINE) {
                LiveJob.prepare(env, conf, RulePack.defaults());
            } else {
                KafkaIO.createTopics(conf, KafkaIO.clientProperties(conf));
                CepPeer.live(env, bootstrap, topics.input(StreamKind.SENSOR), topics.input(StreamKind.CALL), topics.alerts("YRD"), target.bound);
            }
            out.println("job under test: " + target.jobName);
            out.printf(Locale.ROOT, "state: %s, changelog %s, incremental checkpoints %s%n", conf.get(StateBackendOptions.STATE_BACKEND),
                    conf.get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG), conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
            job = env.executeAsync(target.jobName);
            waitRunning(job);
            out.printf(Locale.ROOT, "job running %.1f s after start%n", (System.nanoTime() - t0) / 1e9);

            Thread consumer = new Thread(() -> consume(bootstrap, topics), "latency-bench-consumer");
            consumer.setDaemon(true);
            consumer.start();

            try (KafkaProducer<byte[], byte[]> load = producer(bootstrap, loadLingerMs);
                 KafkaProducer<byte[], byte[]> chains = producer(bootstrap, 0)) {
                if (!warmUp.isZero()) {
                    Phase w = new Phase("warm-up", rates.get(0));
                    produce(load, chains, topics, w, warmUp, chainEvery);
                    drain(load, topics, w, Duration.ofSeconds(10));
                    report(w);
                }
                for (int rate : rates) {
                    if (stopping.get()) {
                        break;
                    }
                    Phase p = new Phase(String.format(Locale.ROOT, "%,d/s", rate), rate);
                    phases.add(p);
                    produce(load, chains, topics, p, duration, chainEvery);
                    drain(load, topics, p, Duration.ofSeconds(10));
                    report(p);
                }
            }
            stopping.set(true);
            consumer.join(5000);
            if (target == Target.ENGINE) {
                printCheckpoint(new FlinkRest("http://127.0.0.1:" + conf.getString("rest.bind-port", "")), job.getJobID().toHexString());
            }
        } finally {
            stopping.set(true);
            if (job != null) {
                try {
                    job.cancel().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    out.println("latency: cancelling the job: " + e.getMessage());
                }
            }
            stopBroker();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        return summary(phases);
    }

    private int summary(List<Phase> phases) {
        out.println();
        out.println("target rate  achieved in   chains  alerts   p50 ms   p99 ms  p99.9 ms   max ms");
        boolean met = false;
        boolean measured = false;
        for (Phase p : phases) {
            Histogram h = p.latencyMicros;
            long n = h.getTotalCount();
            out.printf(Locale.ROOT, "%,9d/s  %,9.0f/s  %7d %7d  %7s  %7s  %8s  %7s%n", p.rate, p.sent / p.seconds, p.chains, n,
                    ms(h, 50), ms(h, 99), ms(h, 99.9), n == 0 ? "-" : String.format(Locale.ROOT, "%.1f", h.getMaxValue() / 1000.0));
            if (p.rate == P99_TARGET_RATE && n > 0) {
                measured = true;
                met = h.getValueAtPercentile(99) / 1000.0 <= P99_TARGET_MS && h.getValueAtPercentile(99.9) / 1000.0 <= P999_TARGET_MS
                        && n == p.chains;
            }
        }
        if (measured) {
            out.printf(Locale.ROOT, "target: p99 <= %.0f ms and p99.9 <= %.0f ms at %,d events/s with every chain alerted: %s%n",
                    P99_TARGET_MS, P999_TARGET_MS, P99_TARGET_RATE, met ? "met" : "NOT met");
        }
        out.printf(Locale.ROOT, "alert records read: %,d; producer send failures: %d; load average at end %s%n",
                alertRecords.get(), sendFailures.get(), Machine.loadAverage());
        return met ? 0 : 3;
    }

    private void report(Phase p) {
        Histogram h = p.latencyMicros;
        StringBuilder w = new StringBuilder();
        for (Histogram x : p.windows) {
            w.append(w.length() == 0 ? "" : ", ").append(x.getTotalCount() == 0 ? "-" : String.format(Locale.ROOT, "%.0f", x.getValueAtPercentile(99) / 1000.0));
        }
        out.printf(Locale.ROOT, "%-8s sent %,d in %.1f s (%,.0f/s), %d chains, %d alerted: p50 %s ms, p99 %s ms, p99.9 %s ms; p99 per 10 s: %s; "
                        + "split at the engine's emittedAt: produce->emitted p50 %d p99 %d ms, emitted->consumed p50 %d p99 %d ms%n",
                p.name, p.sent, p.seconds, p.sent / p.seconds, p.chains, h.getTotalCount(), ms(h, 50), ms(h, 99), ms(h, 99.9), w,
                p.toEmitMillis.getValueAtPercentile(50), p.toEmitMillis.getValueAtPercentile(99),
                p.fromEmitMillis.getValueAtPercentile(50), p.fromEmitMillis.getValueAtPercentile(99));
    }

    /**
     * The job's state backend and the synchronous phase of each stateful task in its last completed
     * checkpoint (slowest subtask): the time a task holds its records while it snapshots.
     */
    private void printCheckpoint(FlinkRest rest, String jobId) {
        try {
            JsonNode config = rest.get("/jobs/" + jobId + "/checkpoints/config");
            JsonNode latest = rest.get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
            if (latest.isMissingNode() || latest.isNull()) {
                out.println("checkpoints: none completed");
                return;
            }
            long id = latest.path("id").asLong();
            Map<String, String> names = new HashMap<>();
            rest.get("/jobs/" + jobId).path("vertices").forEach(v -> names.put(v.path("id").asText(), v.path("name").asText()));
            List<String> tasks = new ArrayList<>();
            JsonNode details = rest.get("/jobs/" + jobId + "/checkpoints/details/" + id);
            for (Iterator<String> it = details.path("tasks").fieldNames(); it.hasNext(); ) {
                String vertex = it.next();
                long sync = 0;
                for (JsonNode st : rest.get("/jobs/" + jobId + "/checkpoints/details/" + id + "/subtasks/" + vertex).path("subtasks")) {
                    sync = Math.max(sync, st.path("checkpoint").path("sync").asLong());
                }
                if (sync > 0 || !names.getOrDefault(vertex, "").startsWith("Source")) {
                    String name = names.getOrDefault(vertex, vertex);
                    int cut = name.indexOf(" -> ");
                    tasks.add(String.format(Locale.ROOT, "%s %d", cut > 0 ? name.substring(0, cut) : name, sync));
                }
            }
            out.printf(Locale.ROOT, "checkpoint %d of the job: %s, changelog %s (storage %s), %d ms end to end; synchronous phase per task, "
                            + "slowest subtask, ms: %s%n", id, config.path("state_backend").asText(), config.path("state_changelog_enabled").asText(),
                    config.path("changelog_storage").asText("-"), latest.path("end_to_end_duration").asLong(), String.join(", ", tasks));
        } catch (IOException | RuntimeException e) {
            out.println("checkpoints: could not read them from the REST API: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "-" : String.format(Locale.ROOT, "%.1f", h.getValueAtPercentile(percentile) / 1000.0);
    }

    // ---------------------------------------------------------------------------------------------
    // load

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMs) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
        pp.put(ProducerConfig.ACKS_CONFIG, "1");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        return new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends {@code p}'s background load through {@code load} and its chains through {@code chains} (which never lingers). */
    private void produce(KafkaProducer<byte[], byte[]> load, KafkaProducer<byte[], byte[]> chains, Topics topics, Phase p,
                         Duration duration, Duration chainEvery) {
        String sensorTopic = topics.input(StreamKind.SENSOR);
        String callTopic = topics.input(StreamKind.CALL);
        long start = System.nanoTime();
        p.startNanos = start;
        long end = start + duration.toNanos();
        long chainGap = chainEvery.toNanos();
        long nextChain = start + chainGap / 2;
        long sent = 0;
        while (!stopping.get()) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            if (now >= nextChain) {
                sent += chain(chains, sensorTopic, callTopic, p);
                nextChain += chainGap;
            }
            sent = keepPace(load, sensorTopic, callTopic, p.rate, start, now, sent);
        }
        p.sent = sent;
        p.seconds = (System.nanoTime() - start) / 1e9;
    }

    /**
     * Sends background records until {@code sent}, counted from {@code start}, is what {@code rate}
     * asks for at {@code now} (at most 2,000 at a time), or waits a little when it already is;
     * returns the new count.
     */
    private long keepPace(KafkaProducer<byte[], byte[]> load, String sensorTopic, String callTopic, double rate, long start,
                          long now, long sent) {
        long due = (long) ((now - start) / 1e9 * rate);
        int batch = 0;
        while (sent < due && batch++ < 2000) {
            background(load, sensorTopic, callTopic);
            sent++;
        }
        if (sent >= due) {
            LockSupport.parkNanos(200_000);
        }
        return sent;
    }

    private void background(KafkaProducer<byte[], byte[]> producer, String sensorTopic, String callTopic) {
        long ts = System.currentTimeMillis();
        sb.setLength(0);
        if (rng.nextInt(10) != 0) {
            int i = rng.nextInt(fleet.length);
            SensorKind kind = fleetKinds[i];
            double value = Lines.THRESHOLD.get(kind) * fleetLevels[i] * (0.9 + 0.2 * rng.nextDouble());
            Lines.sensor(sb, "lb-" + tag + "-s" + (++ids), "LB-" + Lines.ABBR.get(kind) + "-" + i, kind, value, ts,
                    fleet[i].lat(), fleet[i].lon(), i % 2 == 0 ? fleet[i].city() : 0);
            send(producer, sensorTopic);
        } else {
            Places.Point at = pool.get(rng.nextInt(pool.size()));
            CallCategory cat = UNUSED_CALLS[rng.nextInt(UNUSED_CALLS.length)];
            Lines.call(sb, "lb-" + tag + "-c" + (++ids), ts, at.lat(), at.lon(), rng.nextInt(10) < 7 ? at.city() : 0, cat,
                    rng.nextLong() | 1, rng.nextBoolean() ? Lines.TEXT.get(cat) : null);
            send(producer, callTopic);
        }
    }

    /** A breach and three related calls at one place; returns the number of records sent. */
    private int chain(KafkaProducer<byte[], byte[]> producer, String sensorTopic, String callTopic, Phase p) {
        long k = chainCount++;
        int pair = (int) (k % CHAIN_KINDS.length);
        Places.Point site = sites.get((int) ((k / CHAIN_KINDS.length) % sites.size()));
        SensorKind kind = CHAIN_KINDS[pair];
        long ts = System.currentTimeMillis();
        String breachId = "lb-" + tag + "-b" + k;
        sb.setLength(0);
        Lines.sensor(sb, breachId, "LB-CHAIN-" + tag + "-" + k, kind, Lines.THRESHOLD.get(kind) * 1.3, ts,
                site.lat(), site.lon(), site.city());
        send(producer, sensorTopic);
        for (int i = 0; i < 3; i++) {
            sb.setLength(0);
            Lines.call(sb, "lb-" + tag + "-k" + k + "-" + i, ts + 1 + i, site.lat(), site.lon(), site.city(), CHAIN_CALLS[pair], 0, null);
            if (i == 2) {
                expected.put("INC-CASCADE:" + breachId, new Expect(System.nanoTime(), System.currentTimeMillis(), p));
            }
            send(producer, callTopic);
        }
        p.chains++;
        return 4;
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String topic) {
        producer.send(new ProducerRecord<>(topic, sb.toString().getBytes(StandardCharsets.UTF_8)), (m, e) -> {
            if (e != null) {
                sendFailures.incrementAndGet();
            }
        });
    }

    // ---------------------------------------------------------------------------------------------
    // alerts

    private void consume(String bootstrap, Topics topics) {
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "yrd-linkage-latency-bench-" + tag);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        List<String> watched = new ArrayList<>();
        Topics.RECIPIENTS.forEach(r -> watched.add(topics.alerts(r)));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(watched);
            while (!stopping.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    long nowMillis = System.currentTimeMillis();
                    alertRecords.incrementAndGet();
                    String alertId = r.key() != null ? r.key() : alertIdOf(r.value());
                    Expect e = alertId == null ? null : expected.remove(alertId);
                    if (e != null) {
                        long emitted = emittedAtOf(r.value());
                        e.phase().record(e.sentNanos(), (now - e.sentNanos()) / 1000,
                                emitted < 0 ? -1 : emitted - e.sentMillis(), emitted < 0 ? -1 : nowMillis - emitted);
                        if (trace != null) {
                            trace.printf(Locale.ROOT, "%s %s %.1f %d %d%n", e.phase().name.replace(",", ""),
                                    Instant.ofEpochMilli(e.sentMillis()), (now - e.sentNanos()) / 1e6,
                                    emitted < 0 ? -1 : emitted - e.sentMillis(), emitted < 0 ? -1 : nowMillis - emitted);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!stopping.get()) {
                out.println("latency: consumer failed: " + e);
            }
        }
    }

    /** The engine's wall-clock stamp of an alert record, or -1. */
    static long emittedAtOf(String json) {
        String field = "\"emittedAt\":";
        int i = json.indexOf(field);
        if (i < 0) {
            return -1;
        }
        int from = i + field.length();
        int to = from;
        while (to < json.length() && Character.isDigit(json.charAt(to))) {
            to++;
        }
        return to == from ? -1 : Long.parseLong(json.substring(from, to));
    }

    static String alertIdOf(String json) {
        String field = "\"alertId\":\"";
        int i = json.indexOf(field);
        if (i < 0) {
            return null;
        }
        int from = i + field.length();
        int to = json.indexOf('"', from);
        return to < 0 ? null : json.substring(from, to);
    }

    /**
     * Waits up to {@code max} for the phase's outstanding alerts, with its background load still
     * flowing (not counted in its rate): a job that orders events by their time, as the CEP peer
     * does in event time, closes a match only when later events move its watermark on, and a live
     * stream does not stop when a measurement does.
     */
    private void drain(KafkaProducer<byte[], byte[]> load, Topics topics, Phase p, Duration max) {
        String sensorTopic = topics.input(StreamKind.SENSOR);
        String callTopic = topics.input(StreamKind.CALL);
        long start = System.nanoTime();
        long until = start + max.toNanos();
        long nextLook = start;
        long sent = 0;
        for (long now = start; now < until && !stopping.get(); now = System.nanoTime()) {
            if (now >= nextLook) {
                if (expected.values().stream().noneMatch(e -> e.phase() == p)) {
                    return;
                }
                nextLook = now + TimeUnit.MILLISECONDS.toNanos(50);
            }
            sent = keepPace(load, sensorTopic, callTopic, p.rate, start, now, sent);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // broker and job

    private static void waitRunning(JobClient job) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            JobStatus s = job.getJobStatus().get();
            if (s == JobStatus.RUNNING) {
                return;
            }
            if (s.isGloballyTerminalState()) {
                throw new IllegalStateException("the job ended before it ran: " + s);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the job did not reach RUNNING within 60 s");
    }

    /** A port p such that p and p + 1 (the controller) are free on 127.0.0.1. */
    static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                p = s.getLocalPort();
            }
            if (p < 65_000 && free(p + 1)) {
                return p;
            }
        }
        throw new IOException("no two adjacent free ports on 127.0.0.1");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void stopBroker() {
        new LocalKafka(home, work, out).stop();
    }
}
