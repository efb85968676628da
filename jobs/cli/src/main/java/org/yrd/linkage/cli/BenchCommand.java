package org.yrd.linkage.cli;

import org.yrd.linkage.bench.BenchPatterns;
import org.yrd.linkage.bench.IdleBench;
import org.yrd.linkage.bench.LatencyBench;
import org.yrd.linkage.bench.LinkerBench;
import org.yrd.linkage.bench.Machine;
import org.yrd.linkage.bench.MixedStreamGenerator;
import org.yrd.linkage.bench.PeerBench;
import org.yrd.linkage.bench.ReplayBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./linkage bench}: the benchmarks behind BENCHMARKS.md. Each prints the machine and its
 * settings, then its figures against the targets; exit code 0 when the targets it checks are met,
 * 3 when one is not, 2 for unusable arguments.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: generate replay input, replay throughput against the parse floor, live latency, linker throughput and state, a Flink CEP peer, an idle job.",
        subcommands = {BenchCommand.Gen.class, BenchCommand.Replay.class, BenchCommand.Latency.class, BenchCommand.Linker.class,
                BenchCommand.Peer.class, BenchCommand.Idle.class})
public final class BenchCommand implements Callable<Integer> {

    /** Runs {@code bench ...} on its own (before it is registered with {@code ./linkage}). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand())
                .setParameterExceptionHandler((ex, a) -> {
                    ex.getCommandLine().getErr().println("linkage: " + ex.getMessage());
                    return CommandLine.ExitCode.USAGE;
                })
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    cmd.getErr().println("linkage: " + ex);
                    return CommandLine.ExitCode.SOFTWARE;
                })
                .execute(args));
    }

    @Override
    public Integer call() {
        return Cli.fail("bench needs a subcommand: gen, replay, latency, linker, peer or idle (see bench --help)");
    }

    static Path benchDir() {
        return Cli.home().resolve("jobs/cli/target/bench").toAbsolutePath();
    }

    @Command(name = "gen", mixinStandardHelpOptions = true,
            description = "Write replay files of a realistic mix (90%% readings, 7%% calls, 2.5%% fraud reports, 0.5%% acks, planted chains).")
    static final class Gen implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "Directory to write the four .jsonl files into.")
        Path out;

        @Option(names = "--events", defaultValue = "10000000", description = "Lines to write in all (default: ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            if (events < 1 || events > 1_000_000_000L) {
                return Cli.fail("--events must be between 1 and 1000000000, not " + events);
            }
            if (Files.exists(out) && !Files.isDirectory(out)) {
                return Cli.fail("--out " + out + " exists and is not a directory");
            }
            MixedStreamGenerator.Summary s = MixedStreamGenerator.generate(out, events, seed);
            StringBuilder mix = new StringBuilder();
            s.lines().forEach((k, v) -> mix.append(mix.length() == 0 ? "" : ", ").append(k.baseName()).append(' ')
                    .append(String.format(Locale.ROOT, "%,d (%.1f%%)", v, 100.0 * v / s.total())));
            System.out.printf(Locale.ROOT, "gen: %,d lines (%s), %s, %.0f bytes/line, %d planted chains, event time %.1f days; "
                            + "written in %.1f s (%,.0f lines/s) to %s%n",
                    s.total(), mix, Machine.mib(s.bytes()), (double) s.bytes() / s.total(), s.planted(),
                    (s.lastTs() - s.firstTs()) / 86_400_000.0, s.seconds(), s.total() / s.seconds(), out);
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Replay throughput at each parallelism against the parse-only floor on 1 and 2 threads.")
    static final class Replay implements Callable<Integer> {
        @Option(names = "--in", required = true, description = "Directory with replay files (bench gen writes them).")
        Path in;

        @Option(names = "--parallelism", split = ",", defaultValue = "1,2", description = "Parallelisms to replay at (default: ${DEFAULT-VALUE}).")
        List<Integer> parallelism = new ArrayList<>();

        @Option(names = "--no-floor", description = "Skip the parse floor.")
        boolean noFloor;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set an engine or Flink option for the replays.")
        Map<String, String> settings = Map.of();

        @Option(names = "--patterns", defaultValue = "0",
                description = "Load this many pattern rules beside the six (shapes of config/rules/examples; default: ${DEFAULT-VALUE}).")
        int patterns;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(in)) {
                return Cli.fail("--in " + in + " is not a directory");
            }
            if (patterns < 0 || patterns > 200) {
                return Cli.fail("--patterns must be between 0 and 200 (a pack holds at most 200), not " + patterns);
            }
            for (int p : parallelism) {
                if (p < 1 || p > 64) {
                    return Cli.fail("--parallelism must be between 1 and 64, not " + p);
                }
            }
            return new ReplayBench(System.out).run(in, benchDir(), parallelism, settings, noFloor, BenchPatterns.pack(patterns));
        }
    }

    @Command(name = "latency", mixinStandardHelpOptions = true,
            description = "Live latency (produce to Kafka -> alert readable) at each input rate, on a local broker and MiniCluster.")
    static final class Latency implements Callable<Integer> {
        @Option(names = "--rates", split = ",", defaultValue = "5000,20000,50000", description = "Input rates, events/s (default: ${DEFAULT-VALUE}).")
        List<Integer> rates = new ArrayList<>();

        @Option(names = "--duration", defaultValue = "60s", description = "Time per rate (default: ${DEFAULT-VALUE}).")
        String duration;

        @Option(names = "--warm-up", defaultValue = "90s", description = "Warm-up at the first rate, not counted (default: ${DEFAULT-VALUE}: "
                + "for about 50 s after start the JIT and the state backends' first files slow the job down).")
        String warmUp;

        @Option(names = "--chain-every", defaultValue = "200ms", description = "Interval of planted chains (default: ${DEFAULT-VALUE}).")
        String chainEvery;

        @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of the job (default: ${DEFAULT-VALUE}).")
        int parallelism;

        @Option(names = "--checkpoint-interval", defaultValue = "10s", description = "Checkpoint interval (default: ${DEFAULT-VALUE}, as live mode).")
        String checkpointInterval;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set an engine or Flink option of the live job, e.g. --set execution.checkpointing.unaligned.enabled=true.")
        Map<String, String> settings = new LinkedHashMap<>();

        @Option(names = "--trace", paramLabel = "FILE", description = "Write one line per alerted chain: phase, send time (UTC), latency ms, produce->emitted ms, emitted->consumed ms.")
        Path trace;

        @Option(names = "--load-linger-ms", defaultValue = "5", paramLabel = "MS",
                description = "linger.ms of the background load's producer (default: ${DEFAULT-VALUE}, Kafka's; chains never linger).")
        int loadLingerMs;

        @Override
        public Integer call() throws Exception {
            Duration d;
            Duration w;
            Duration c;
            Duration cp;
            try {
                d = Cli.duration(duration);
                w = Cli.duration(warmUp);
                c = Cli.duration(chainEvery);
                cp = Cli.duration(checkpointInterval);
            } catch (IllegalArgumentException e) {
                return Cli.fail(e.getMessage());
            }
            if (rates.isEmpty() || rates.stream().anyMatch(r -> r < 1 || r > 1_000_000)) {
                return Cli.fail("--rates must be between 1 and 1000000 events/s");
            }
            if (d.toSeconds() < 1 || d.toMinutes() > 30 || c.toMillis() < 10 || parallelism < 1 || parallelism > 8 || cp.toMillis() < 100
                    || loadLingerMs < 0 || loadLingerMs > 1000) {
                return Cli.fail("--duration must be 1s..30min, --chain-every >= 10ms, --parallelism 1..8, --checkpoint-interval >= 100ms, --load-linger-ms 0..1000");
            }
            LatencyBench bench = new LatencyBench(Cli.home().toAbsolutePath(), System.out).loadLingerMs(loadLingerMs);
            if (trace == null) {
                return bench.run(rates, d, w, c, parallelism, cp, settings);
            }
            try (PrintStream t = new PrintStream(Files.newOutputStream(trace), true, StandardCharsets.UTF_8)) {
                return bench.trace(t).run(rates, d, w, c, parallelism, cp, settings);
            }
        }
    }

    @Command(name = "peer", mixinStandardHelpOptions = true,
            description = "A plain Flink CEP job (breach followed by 3 related calls within 15 km and 30 min, keyed by grid cell) beside the engine: "
                    + "throughput over the same files, latency under the same live load.")
    static final class Peer implements Callable<Integer> {
        @Option(names = "--in", description = "Directory with replay files (bench gen writes them) for the throughput run; none: latency only.")
        Path in;

        @Option(names = "--rates", split = ",", defaultValue = "20000", description = "Input rates of the latency runs, events/s; 0 for none (default: ${DEFAULT-VALUE}).")
        List<Integer> rates = new ArrayList<>();

        @Option(names = "--duration", defaultValue = "60s", description = "Time per rate (default: ${DEFAULT-VALUE}).")
        String duration;

        @Option(names = "--warm-up", defaultValue = "90s", description = "Warm-up at the first rate, not counted (default: ${DEFAULT-VALUE}, as bench latency).")
        String warmUp;

        @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of both jobs (default: ${DEFAULT-VALUE}).")
        int parallelism;

        @Override
        public Integer call() throws Exception {
            Duration d;
            Duration w;
            try {
                d = Cli.duration(duration);
                w = Cli.duration(warmUp);
            } catch (IllegalArgumentException e) {
                return Cli.fail(e.getMessage());
            }
            List<Integer> live = rates.stream().filter(r -> r != 0).toList();
            if (live.stream().anyMatch(r -> r < 1 || r > 1_000_000) || parallelism < 1 || parallelism > 8 || d.toSeconds() < 1) {
                return Cli.fail("--rates must be between 1 and 1000000 events/s (or 0), --parallelism 1..8, --duration >= 1s");
            }
            if (in != null && !Files.isDirectory(in)) {
                return Cli.fail("--in " + in + " is not a directory");
            }
            return new PeerBench(Cli.home().toAbsolutePath(), System.out).run(in == null ? null : in.toAbsolutePath(), parallelism, live, d, w,
                    Duration.ofMillis(200), Duration.ofSeconds(10), Map.of());
        }
    }

    @Command(name = "idle", mixinStandardHelpOptions = true,
            description = "CPU and threads of the live job with no input, on a local broker and MiniCluster.")
    static final class Idle implements Callable<Integer> {
        @Option(names = "--warm-up", defaultValue = "150s", description = "Time before measuring: start-up, first checkpoints, JIT (default: ${DEFAULT-VALUE}).")
        String warmUp;

        @Option(names = "--duration", defaultValue = "60s", description = "Time measured (default: ${DEFAULT-VALUE}).")
        String duration;

        @Override
        public Integer call() throws Exception {
            Duration w;
            Duration d;
            try {
                w = Cli.duration(warmUp);
                d = Cli.duration(duration);
            } catch (IllegalArgumentException e) {
                return Cli.fail(e.getMessage());
            }
            if (d.toSeconds() < 1) {
                return Cli.fail("--duration must be at least 1s");
            }
            return new IdleBench(Cli.home().toAbsolutePath(), System.out).run(w, d, 2);
        }
    }

    @Command(name = "linker", mixinStandardHelpOptions = true,
            description = "CYB-LINK linker throughput and state size (heap, RocksDB) with many live identifiers.")
    static final class Linker implements Callable<Integer> {
        @Option(names = "--reports", defaultValue = "1000000", description = "Fraud reports (default: ${DEFAULT-VALUE}).")
        long reports;

        @Option(names = "--identifiers", defaultValue = "10000000", description = "Distinct identifiers named in all (default: ${DEFAULT-VALUE}).")
        long identifiers;

        @Option(names = "--link-share", defaultValue = "0.05", description = "Share of reports that also name an identifier of a recent report (default: ${DEFAULT-VALUE}).")
        double linkShare;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set a Flink option, e.g. --set state.backend.rocksdb.use-bloom-filter=true.")
        Map<String, String> settings = Map.of();

        @Override
        public Integer call() throws Exception {
            if (reports < 1 || identifiers < reports || identifiers > 64 * reports || linkShare < 0 || linkShare > 1) {
                return Cli.fail("need 1 <= --reports <= --identifiers <= 64 x --reports and 0 <= --link-share <= 1");
            }
            return new LinkerBench(benchDir().resolve("linker"), System.out).run(reports, identifiers, linkShare, seed, settings);
        }
    }
}
