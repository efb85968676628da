package org.yrd.linkage.bench;

import org.yrd.linkage.runtime.RocksDbDefaults;
import org.yrd.linkage.runtime.RulePacks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.chain.Routed;
import org.yrd.linkage.cyber.LinkRule;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.FraudReport;
import org.yrd.linkage.model.FraudType;
import org.yrd.linkage.model.Identifier;
import org.yrd.linkage.model.IdentifierType;
import org.yrd.linkage.region.Region;
import org.yrd.linkage.rules.RulePack;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * CYB-LINK linker throughput and state size. The real {@link LinkRule} (ordered mode, as replay
 * runs it) in a bounded job on a local MiniCluster with RocksDB state, fed by a generated stream of
 * fraud reports in ts order: each report names its share of {@code identifiers} fresh identifiers
 * (digests and masked forms as the parser makes them) and, with probability {@code linkShare}, one
 * identifier of one of the 1,000 reports before it, so that cases link and merge and some of them
 * alert. Reports are spread over 6 days, inside CYB-LINK's 7-day liveness, so every identifier is
 * still live at the end. The stream is re-interpreted as keyed (no shuffle: a forward exchange at
 * most, where the linker takes a second, broadcast input for rule packs), so the time measured is
 * the generator's and the linker's.
 *
 * <p>After the last report the generator sends a watermark at its ts, which commits every pending
 * report, and holds its input open; once that watermark has come out of the linker the state is
 * measured: heap after GC, the process's RSS, the
 * RocksDB directory on disk, and RocksDB's own estimates through Flink's native metrics (REST). The
 * job is then cancelled (its end-of-input watermark would only expire everything).
 */
public final class LinkerBench {

    static final long START_TS = 1_783_612_800_000L;
    static final long SPAN_MS = 6 * 86_400_000L;
    static final Duration OUT_OF_ORDERNESS = Duration.ofMinutes(5);

    // the job runs in this JVM (MiniCluster): these connect the task to the measuring thread
    static final AtomicLong ALERTS = new AtomicLong();
    static final AtomicLong REPORTS = new AtomicLong();
    static volatile long firstNanos;
    static volatile long lastNanos;
    static volatile CountDownLatch reached = new CountDownLatch(1);
    static volatile CountDownLatch release = new CountDownLatch(1);

    private static final String[] NATIVE_METRICS = {
        "estimate-num-keys", "total-sst-files-size", "live-sst-files-size", "estimate-live-data-size",
        "cur-size-all-mem-tables", "block-cache-usage"};

    private final Path work;
    private final PrintStream out;

    public LinkerBench(Path work, PrintStream out) {
        this.work = work;
        this.out = out;
    }

    public int run(long reports, long identifiers, double linkShare, long seed, Map<String, String> settings) throws Exception {
        if (identifiers < reports) {
            throw new IllegalArgumentException("--identifiers must be at least --reports");
        }
        out.println(Machine.describe());
        Path rocksDir = work.resolve("rocksdb");
        ReplayBench.deleteTree(rocksDir);
        Files.createDirectories(rocksDir);
        int restPort = LatencyBench.freePortPair();
        long spacing = Math.max(1, SPAN_MS / reports);

        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, StateBackendLoader.ROCKSDB_STATE_BACKEND_NAME);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(EngineOptions.SPECULATIVE, false);
        conf.set(RocksDBOptions.LOCAL_DIRECTORIES, rocksDir.toString());
        conf.setString("taskmanager.memory.managed.size", "256m");
        conf.setString("rest.bind-address", "127.0.0.1");
        conf.setString("rest.bind-port", Integer.toString(restPort));
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
        for (String m : NATIVE_METRICS) {
            conf.setString("state.backend.rocksdb.metrics." + m, "true");
        }
        conf.setString("state.backend.rocksdb.metrics.column-family-as-variable", "true");
        conf.addAll(RocksDbDefaults.get());
        conf.addAll(Configuration.fromMap(settings));
        out.printf(Locale.ROOT, "settings: %,d reports, %,d distinct identifiers (%.1f per report) + %.0f%% of reports naming one of a recent report's, "
                        + "ts %d ms apart over %.1f days; linker in ordered mode, parallelism 1, RocksDB (managed memory %s, bloom filters %s, "
                        + "partitioned index and filters %s) in %s%n",
                reports, identifiers, (double) identifiers / reports, 100 * linkShare, spacing, spacing * reports / 86_400_000.0,
                conf.getString("taskmanager.memory.managed.size", "?"), conf.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER), conf.get(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS), rocksDir);

        ALERTS.set(0);
        REPORTS.set(0);
        firstNanos = 0;
        lastNanos = 0;
        reached = new CountDownLatch(1);
        release = new CountDownLatch(1);

        long heapBefore = Machine.heapAfterGc();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        RulePack pack = RulePack.defaults();
        long lastTs = START_TS + (reports - 1) * spacing;
        var reportsStream = env.fromSequence(0, reports - 1).name("report numbers")
                .flatMap(new Reports(reports, identifiers, linkShare, seed, spacing)).returns(Routed.TYPE).name("generate reports")
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Routed>forGenerator(c -> new Watermarks(lastTs))
                        .withTimestampAssigner((r, previous) -> r.event().ts()))
                .name("watermarks");
        KeyedStream<Routed, String> keyed = DataStreamUtils.reinterpretAsKeyedStream(reportsStream, Routed::key, Types.STRING);
        linker(env, keyed, (Object) new LinkRule(pack, false))
                .transform("watermark probe", TypeInformation.of(AlertRevision.class), new WatermarkProbe(lastTs))
                .filter(LinkerBench::countAlert).name("count alerts")
                .sinkTo(new DiscardingSink<>()).name("discard");

        long cpu0 = Machine.processCpuNanos();
        long t0 = System.nanoTime();
        JobClient job = env.executeAsync("yrd-linkage linker bench");
        try {
            long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!reached.await(1, TimeUnit.SECONDS)) {
                if (System.nanoTime() > nextProgress) {
                    nextProgress += TimeUnit.SECONDS.toNanos(60);
                    out.printf(Locale.ROOT, "linker: %,d reports generated after %.0f s%n", REPORTS.get(), (System.nanoTime() - t0) / 1e9);
                }
                JobStatus s = job.getJobStatus().get();
                if (s.isGloballyTerminalState()) {
                    job.getJobExecutionResult().get();
                    throw new IllegalStateException("the linker job ended before its last report: " + s);
                }
            }
            double seconds = (lastNanos - firstNanos) / 1e9;
            double cores = (Machine.processCpuNanos() - cpu0) / (double) (System.nanoTime() - t0);
            long n = REPORTS.get();
            out.printf(Locale.ROOT, "linker: %,d reports in %.1f s = %,.0f reports/s (job start to last report %.1f s; this JVM used %.2f cores "
                            + "on average; load average %s); %,d alert revisions%n",
                    n, seconds, n / seconds, (lastNanos - t0) / 1e9, cores, Machine.loadAverage(), ALERTS.get());

            long heap = Machine.heapAfterGc();
            long rss = Machine.rssBytes();
            long[] disk = diskUsage(rocksDir);
            out.printf(Locale.ROOT, "state with %,d live identifiers: heap after GC %s (before the job %s), process RSS %s, "
                            + "RocksDB on disk %s in %d SST files (%s in all files)%n",
                    identifiers, Machine.mib(heap), Machine.mib(heapBefore), Machine.mib(rss), Machine.mib(disk[0]), disk[1], Machine.mib(disk[2]));
            printNativeMetrics(restPort, identifiers);
        } finally {
            release.countDown();
            try {
                job.cancel().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // already finished or failed; nothing to stop
            }
        }
        return 0;
    }

    /**
     * The linker on the keyed reports. A rule is a keyed process function, or (with live rule-pack
     * updates) a keyed broadcast process function whose broadcast side carries rule packs: it then
     * gets an empty rule stream, so the pack it was built with stays in force.
     */
    @SuppressWarnings("unchecked")
    static SingleOutputStreamOperator<AlertRevision> linker(StreamExecutionEnvironment env, KeyedStream<Routed, String> keyed, Object rule)
            throws ReflectiveOperationException {
        if (rule instanceof KeyedProcessFunction<?, ?, ?> f) {
            return keyed.process((KeyedProcessFunction<String, Routed, AlertRevision>) f).uid("cyb-link").name("CYB-LINK (linker)");
        }
        MapStateDescriptor<String, String> packs = RulePacks.STATE;
        DataStream<String> noUpdates = env.fromSequence(0, 0).filter(i -> false).map(i -> "").returns(Types.STRING).name("no rule updates");
        return keyed.connect(noUpdates.broadcast(packs))
                .process((KeyedBroadcastProcessFunction<String, Routed, String, AlertRevision>) rule)
                .uid("cyb-link").name("CYB-LINK (linker)");
    }

    /** Notes when the linker's output watermark reaches the last report's ts: every report has then been applied. */
    static final class WatermarkProbe extends AbstractStreamOperator<AlertRevision> implements OneInputStreamOperator<AlertRevision, AlertRevision> {
        private final long lastTs;

        WatermarkProbe(long lastTs) {
            this.lastTs = lastTs;
        }

        @Override
        public void processElement(StreamRecord<AlertRevision> element) {
            output.collect(element);
        }

        @Override
        public void processWatermark(org.apache.flink.streaming.api.watermark.Watermark mark) throws Exception {
            super.processWatermark(mark);
            if (mark.getTimestamp() >= lastTs && reached.getCount() > 0) {
                lastNanos = System.nanoTime();
                reached.countDown();
            }
        }
    }

    private static boolean countAlert(AlertRevision r) {
        ALERTS.incrementAndGet();
        return false;
    }

    /** {SST bytes, SST files, all bytes} under {@code dir}. */
    static long[] diskUsage(Path dir) throws IOException {
        long[] u = new long[3];
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                long size;
                try {
                    size = Files.size(p);
                } catch (IOException gone) {
                    continue;
                }
                u[2] += size;
                if (p.getFileName().toString().endsWith(".sst")) {
                    u[0] += size;
                    u[1]++;
                }
            }
        }
        return u;
    }

    /** RocksDB's properties per state (column family), read through the MiniCluster's REST API. */
    private void printNativeMetrics(int port, long identifiers) {
        ObjectMapper json = new ObjectMapper();
        String base = "http://127.0.0.1:" + port;
        try {
            String jobId = null;
            for (JsonNode j : json.readTree(get(base + "/jobs")).path("jobs")) {
                if ("RUNNING".equals(j.path("status").asText())) {
                    jobId = j.path("id").asText();
                }
            }
            if (jobId == null) {
                out.println("rocksdb metrics: no running job on the REST API");
                return;
            }
            // RocksDB's properties are views that Flink refreshes every 5 s: read until they show the keys
            Map<String, Map<String, Double>> byState = new TreeMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (keys(byState) == 0 && System.nanoTime() < deadline) {
                byState.clear();
                for (JsonNode v : json.readTree(get(base + "/jobs/" + jobId)).path("vertices")) {
                    String vid = v.path("id").asText();
                    List<String> ids = new ArrayList<>();
                    for (JsonNode m : json.readTree(get(base + "/jobs/" + jobId + "/vertices/" + vid + "/metrics"))) {
                        String id = m.path("id").asText();
                        if (id.contains("rocksdb")) {
                            ids.add(id);
                        }
                    }
                    for (int i = 0; i < ids.size(); i += 20) {
                        String q = String.join(",", ids.subList(i, Math.min(ids.size(), i + 20)));
                        for (JsonNode m : json.readTree(get(base + "/jobs/" + jobId + "/vertices/" + vid + "/metrics?get="
                                + URLEncoder.encode(q, StandardCharsets.UTF_8)))) {
                            String id = m.path("id").asText();
                            String value = m.path("value").asText();
                            if (value.isEmpty()) {
                                continue;
                            }
                            int r = id.lastIndexOf("rocksdb");
                            String metric = id.substring(r + "rocksdb".length() + 1);
                            String state = columnFamily(id, r);
                            byState.computeIfAbsent(state, k -> new TreeMap<>()).merge(metric, Double.parseDouble(value), Double::sum);
                        }
                    }
                }
                if (keys(byState) == 0) {
                    Thread.sleep(1000);
                }
            }
            if (keys(byState) == 0) {
                out.println("rocksdb metrics: no keys reported within 30 s");
                return;
            }
            Map<String, Double> total = new TreeMap<>();
            out.println("rocksdb, per state (column family): keys (estimate), live data (estimate), SST files, memtables");
            for (Map.Entry<String, Map<String, Double>> s : byState.entrySet()) {
                Map<String, Double> m = s.getValue();
                m.forEach((k, v) -> total.merge(k, v, Double::sum));
                out.printf(Locale.ROOT, "  %-40s %,14.0f keys  %10s  %10s  %10s%n", s.getKey(), m.getOrDefault("estimate-num-keys", 0.0),
                        Machine.mib(m.getOrDefault("estimate-live-data-size", 0.0).longValue()),
                        Machine.mib(m.getOrDefault("total-sst-files-size", 0.0).longValue()),
                        Machine.mib(m.getOrDefault("cur-size-all-mem-tables", 0.0).longValue()));
            }
            out.printf(Locale.ROOT, "  %-40s %,14.0f keys  %10s  %10s  %10s  (block cache in use %s; %.0f bytes of live data per identifier)%n", "all",
                    total.getOrDefault("estimate-num-keys", 0.0),
                    Machine.mib(total.getOrDefault("estimate-live-data-size", 0.0).longValue()),
                    Machine.mib(total.getOrDefault("total-sst-files-size", 0.0).longValue()),
                    Machine.mib(total.getOrDefault("cur-size-all-mem-tables", 0.0).longValue()),
                    Machine.mib(byState.values().stream().mapToLong(m -> m.getOrDefault("block-cache-usage", 0.0).longValue()).max().orElse(0)),
                    total.getOrDefault("estimate-live-data-size", 0.0) / identifiers);
        } catch (Exception e) {
            out.println("rocksdb metrics: not available (" + e + ")");
        }
    }

    private static double keys(Map<String, Map<String, Double>> byState) {
        return byState.values().stream().mapToDouble(m -> m.getOrDefault("estimate-num-keys", 0.0)).sum();
    }

    /** The state (column family) a metric id names: what follows {@code column_family.}, up to the metric name at {@code metricAt}. */
    static String columnFamily(String id, int metricAt) {
        int cf = id.indexOf("column_family.");
        if (cf < 0 || cf + 14 >= metricAt) {
            return "(all)";
        }
        return id.substring(cf + 14, metricAt - 1);
    }

    private static String get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(10000);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // the generated reports

    /** Report number i → a fraud report with its identifiers, addressed to the one linker. */
    static final class Reports implements FlatMapFunction<Long, Routed> {
        private final long reports;
        private final long identifiers;
        private final double linkShare;
        private final long seed;
        private final long spacing;
        private transient int[] cities;

        Reports(long reports, long identifiers, double linkShare, long seed, long spacing) {
            this.reports = reports;
            this.identifiers = identifiers;
            this.linkShare = linkShare;
            this.seed = seed;
            this.spacing = spacing;
        }

        @Override
        public void flatMap(Long number, Collector<Routed> out) {
            long i = number;
            if (cities == null) {
                cities = Region.get().cities().keySet().stream().mapToInt(Integer::intValue).toArray();
                firstNanos = System.nanoTime();
            }
            FraudReport r = report(i);
            int city = Region.get().cityOfCode(r.cityCode());
            REPORTS.incrementAndGet();
            out.collect(new Routed(LinkRule.KEY, Event.fraud(r, city)));
        }

        FraudReport report(long i) {
            long per = identifiers / reports;
            long extra = identifiers % reports;
            long first = i * per + Math.min(i, extra);
            int fresh = (int) (per + (i < extra ? 1 : 0));
            boolean links = i > 0 && unit(mix(seed ^ (i * 0x9E3779B97F4A7C15L))) < linkShare;
            Identifier[] ids = new Identifier[fresh + (links ? 1 : 0)];
            for (int k = 0; k < fresh; k++) {
                ids[k] = identifier(first + k);
            }
            if (links) {
                long back = 1 + Math.floorMod(mix(seed + i), Math.min(i, 1000));
                long j = i - back;
                ids[fresh] = identifier(j * per + Math.min(j, extra));
            }
            long h = mix(seed * 31 + i);
            int city = cities[(int) Math.floorMod(h, (long) cities.length)];
            String id = "f-" + i;
            return new FraudReport(id, START_TS + i * spacing, Integer.toString(city),
                    FraudType.values()[(int) Math.floorMod(h >>> 8, (long) FraudType.values().length)],
                    200 + Math.floorMod(h >>> 16, 100_000L), ids);
        }

        Identifier identifier(long n) {
            IdentifierType type = IdentifierType.values()[(int) Math.floorMod(n, (long) IdentifierType.values().length)];
            String digest = hex(mix(seed ^ n)) + hex(mix(n * 0xBF58476D1CE4E5B9L + 1));
            return new Identifier(type, digest, type.name() + ':' + digest.substring(0, 3) + "****" + digest.substring(28));
        }

        static String hex(long v) {
            String s = Long.toHexString(v);
            return "0".repeat(16 - s.length()) + s;
        }
    }

    /** SplitMix64's finaliser: a well-spread hash of {@code z}. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }

    /**
     * The stream's watermark 5 minutes behind its latest ts (the engine's default bound), sent
     * periodically; after the last report a watermark at its ts, which commits every pending report
     * at once, and then the pause for measuring.
     */
    static final class Watermarks implements WatermarkGenerator<Routed> {
        private final long lastTs;
        private long max = Long.MIN_VALUE;

        Watermarks(long lastTs) {
            this.lastTs = lastTs;
        }

        @Override
        public void onEvent(Routed r, long ts, WatermarkOutput output) {
            max = Math.max(max, ts);
            if (ts == lastTs) {
                output.emitWatermark(new Watermark(ts));
                // hold the input open (no end-of-input watermark, which would expire everything) until measured
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (max != Long.MIN_VALUE && max < lastTs) {
                output.emitWatermark(new Watermark(max - OUT_OF_ORDERNESS.toMillis() - 1));
            }
        }
    }
}
