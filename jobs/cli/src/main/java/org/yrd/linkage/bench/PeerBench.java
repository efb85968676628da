package org.yrd.linkage.bench;

import org.HdrHistogram.Histogram;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.replay.Replay;
import org.yrd.linkage.rules.RulePack;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./linkage bench peer}: a plain Flink CEP job ({@link CepPeer}) beside the engine, over
 * the same input on the same machine.
 *
 * <p>Throughput (with {@code --in}, a directory {@code bench gen} wrote): the peer, then the
 * engine's replay, over the same sensor-reading and call files at the same parallelism, both on a
 * local MiniCluster with the state backend replay picks for the input; lines per second of wall
 * time and per CPU-second of this JVM. Latency: {@link LatencyBench} with the same broker set-up,
 * load and planted chains, first against the engine's live job, then against the peer in
 * processing time, then in event time with a 1 s out-of-orderness bound, each on a fresh broker
 * and MiniCluster.
 */
public final class PeerBench {

    private final Path home;
    private final PrintStream out;

    public PeerBench(Path home, PrintStream out) {
        this.home = home;
        this.out = out;
    }

    public int run(Path in, int parallelism, List<Integer> rates, Duration duration, Duration warmUp, Duration chainEvery,
                   Duration checkpointInterval, Map<String, String> settings) throws Exception {
        out.println(Machine.describe());
        List<String> rows = new ArrayList<>();
        if (in != null) {
            throughput(in, parallelism, rows);
        }
        List<LatencyBench.Phase> ours = List.of();
        List<LatencyBench.Phase> peer = List.of();
        List<LatencyBench.Phase> peerEventTime = List.of();
        if (!rates.isEmpty()) {
            out.println();
            out.println("== latency: the engine's live job");
            LatencyBench engine = new LatencyBench(home, out);
            engine.run(rates, duration, warmUp, chainEvery, parallelism, checkpointInterval, settings);
            ours = List.copyOf(engine.phases());
            out.println();
            out.println("== latency: the flink-cep peer in processing time");
            LatencyBench cep = new LatencyBench(home, out).target(LatencyBench.Target.CEP_PEER);
            cep.run(rates, duration, warmUp, chainEvery, parallelism, checkpointInterval, settings);
            peer = List.copyOf(cep.phases());
            out.println();
            out.println("== latency: the flink-cep peer in event time");
            LatencyBench cepEvent = new LatencyBench(home, out).target(LatencyBench.Target.CEP_PEER_EVENT_TIME);
            cepEvent.run(rates, duration, warmUp, chainEvery, parallelism, checkpointInterval, settings);
            peerEventTime = List.copyOf(cepEvent.phases());
        }

        out.println();
        out.println("== the engine beside the flink-cep peer (" + Machine.loadAverage() + " load average at end)");
        if (!rows.isEmpty()) {
            out.println("throughput   job                  lines   wall s     lines/s   CPU s  lines/CPU-s   alerts");
            rows.forEach(out::println);
        }
        if (!ours.isEmpty()) {
            out.println("latency      job        rate/s  chains  alerted   p50 ms   p99 ms  p99.9 ms   max ms");
            for (int i = 0; i < Math.max(ours.size(), peer.size()); i++) {
                if (i < ours.size()) {
                    out.println(latencyRow("engine", ours.get(i)));
                }
                if (i < peer.size()) {
                    out.println(latencyRow("cep proc.", peer.get(i)));
                }
                if (i < peerEventTime.size()) {
                    out.println(latencyRow("cep event", peerEventTime.get(i)));
                }
            }
        }
        return 0;
    }

    private void throughput(Path in, int parallelism, List<String> rows) throws Exception {
        Map<StreamKind, Path> files = new EnumMap<>(StreamKind.class);
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL)) {
            Path f = in.resolve(s.baseName() + ".jsonl");
            if (!Files.exists(f)) {
                throw new IllegalArgumentException(f + " does not exist (bench gen writes it)");
            }
            files.put(s, f);
        }
        long lines = 0;
        for (Path f : files.values()) {
            lines += ReplayBench.countLines(f);
        }
        Configuration conf = Replay.withStateBackend(Replay.stateSettings(), files); // as the engine's replay, so that only the jobs differ
        out.printf(Locale.ROOT, "throughput input: %,d lines of %s, parallelism %d, state %s for both%n",
                lines, files.values(), parallelism, Replay.describeState(conf));

        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        AtomicLong matches = new AtomicLong();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        CepPeer.files(env, List.copyOf(files.values()), matches);
        long cpu = Machine.processCpuNanos();
        long start = System.nanoTime();
        env.execute("flink-cep peer over files");
        rows.add(row("cep peer (event time)", lines, start, cpu, matches.get()));
        out.println(rows.get(rows.size() - 1));

        Path work = home.resolve("jobs/cli/target/bench/peer/replay");
        ReplayBench.deleteTree(work);
        Files.createDirectories(work);
        cpu = Machine.processCpuNanos();
        start = System.nanoTime();
        Replay.run(files, work, RulePack.defaults(), Replay.configuration(parallelism, new Configuration()));
        rows.add(row("engine replay", lines, start, cpu, cascades(work.resolve(Replay.ALERTS_FILE))));
        out.println(rows.get(rows.size() - 1));
        out.println("(alerts: matches of the peer, distinct INC-CASCADE alert ids of the engine, which ran all six rules and ESC-ACK)");
    }

    /** Distinct INC-CASCADE alert ids in an alerts.jsonl. */
    private static long cascades(Path alerts) throws java.io.IOException {
        java.util.regex.Pattern id = java.util.regex.Pattern.compile("\"alertId\":\"(INC-CASCADE:[^\"]*)\"");
        try (java.util.stream.Stream<String> lines = Files.lines(alerts)) {
            return lines.map(id::matcher).filter(java.util.regex.Matcher::find).map(m -> m.group(1)).distinct().count();
        }
    }

    private static String row(String job, long lines, long startNanos, long cpuNanos, long alerts) {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        double cpu = (Machine.processCpuNanos() - cpuNanos) / 1e9;
        return String.format(Locale.ROOT, "             %-20s %,9d %8.1f %,11.0f %7.1f %,12.0f %8d", job, lines, wall, lines / wall, cpu, lines / cpu, alerts);
    }

    private static String latencyRow(String job, LatencyBench.Phase p) {
        Histogram h = p.latencyMicros;
        long n = h.getTotalCount();
        return String.format(Locale.ROOT, "             %-9s %,8d %7d %8d %8s %8s %9s %8s", job, p.rate, p.chains, n,
                ms(h, 50), ms(h, 99), ms(h, 99.9), n == 0 ? "-" : String.format(Locale.ROOT, "%.1f", h.getMaxValue() / 1000.0));
    }

    private static String ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "-" : String.format(Locale.ROOT, "%.1f", h.getValueAtPercentile(percentile) / 1000.0);
    }
}
