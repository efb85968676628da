package org.yrd.linkage.bench;

import org.apache.flink.configuration.Configuration;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.replay.JsonLinesFormat;
import org.yrd.linkage.replay.Replay;
import org.yrd.linkage.rules.RulePack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Replay throughput against its floor: the parse-only floor on one and on two threads, the
 * engine's own parser over the same lines on one thread (what parsing to the contract costs by
 * itself), the most a Flink job reading the files as replay does makes of them
 * ({@link PassThrough}), then {@link Replay#run} over the same files at each parallelism, each
 * into a fresh directory. A replay's rate is given two ways: <em>wall</em>, from the call to its
 * return (MiniCluster start and shutdown included), and <em>active</em>, from the first line read
 * to the return (start-up excluded, the drain of the last events included). Ratios and targets use
 * the active rate. Each replay's CPU per line is printed beside the CPU the target leaves a line
 * ({@link #cpuBudgetMicrosPerLine}), which the machine's load moves less than wall-clock rates.
 */
public final class ReplayBench {

    /** Target: replay at least half the two-thread parse floor. */
    public static final double FLOOR_TARGET = 0.5;

    /**
     * One replay: lines read, wall and active seconds, alert and dead-letter lines written, CPU
     * seconds of the JVM; {@code threadCpu} (seconds of CPU by thread name, largest first, see
     * {@link ThreadCpu}) and {@code gcSeconds} (GC pauses) are parts of {@code cpuSeconds}.
     */
    public record Run(int parallelism, long lines, double wallSeconds, double activeSeconds, long alertLines, long deadLetters,
                      double cpuSeconds, Map<String, Double> threadCpu, double gcSeconds, String loadAfter) {

        /** CPU of the JIT compiler threads ({@code C1 CompilerThre}, {@code C2 CompilerThre}). */
        public double jitSeconds() {
            return ThreadCpu.jitSeconds(threadCpu);
        }

        public double wallRate() {
            return lines / wallSeconds;
        }

        public double activeRate() {
            return lines / activeSeconds;
        }

        /** Lines per second of CPU time of the whole JVM (start-up included): the figure a loaded machine distorts least. */
        public double cpuRate() {
            return lines / cpuSeconds;
        }

        /** Cores the JVM used on average over the run. */
        public double cores() {
            return cpuSeconds / wallSeconds;
        }

        /** Microseconds of the JVM's CPU time per line, start-up included. */
        public double cpuMicrosPerLine() {
            return 1e6 * cpuSeconds / lines;
        }
    }

    /**
     * The most CPU a line may cost, in microseconds, for a replay to run at {@code share} of a
     * floor of {@code floorLinesPerSecond} with all {@code cores} busy the whole time: the target
     * in CPU.
     */
    public static double cpuBudgetMicrosPerLine(double floorLinesPerSecond, double share, int cores) {
        return 1e6 * cores / (share * floorLinesPerSecond);
    }

    private final PrintStream out;

    public ReplayBench(PrintStream out) {
        this.out = out;
    }

    /** Runs the floors and the replays and prints the figures; returns 0 when all targets are met, 3 when not. */
    public int run(Path in, Path work, List<Integer> parallelisms, Map<String, String> settings, boolean skipFloor) throws Exception {
        return run(in, work, parallelisms, settings, skipFloor, RulePack.defaults());
    }

    /** As {@link #run(Path, Path, List, Map, boolean)}, replaying with the given pack (e.g. with patterns loaded). */
    public int run(Path in, Path work, List<Integer> parallelisms, Map<String, String> settings, boolean skipFloor,
                   RulePack pack) throws Exception {
        Map<StreamKind, Path> files = Replay.inputs(in);
        if (files.isEmpty()) {
            throw new IllegalArgumentException(in + " holds no replay files (bench gen writes them)");
        }
        long size = Replay.inputBytes(files);
        out.println(Machine.describe());
        out.printf(Locale.ROOT, "input:   %s (%s), %s%n", in, String.join(", ", files.values().stream().map(p -> p.getFileName().toString()).toList()),
                Machine.mib(size));
        out.printf(Locale.ROOT, "pack:    %s version %s, %d pattern%s%n", pack.id(), pack.version(), pack.patterns().size(),
                pack.patterns().size() == 1 ? "" : "s");
        out.printf(Locale.ROOT, "state:   %s%n", Replay.describeState(Replay.withStateBackend(Configuration.fromMap(settings), files)));

        ParseFloor.Result floor1 = null;
        ParseFloor.Result floor2 = null;
        ParseFloor.Result strict1 = null;
        if (!skipFloor) {
            // page the files in and warm the binder up, so that the floor measures parsing, not the disk or the JIT
            ParseFloor.warmUp(files, 400_000, ParseFloor.Binding.DATABIND);
            floor1 = ParseFloor.run(files, 1);
            out.printf(Locale.ROOT, "parse floor, 1 thread:   %,d lines in %.1f s = %,.0f lines/s (%d not bound; %.1f s on CPU)%n",
                    floor1.lines(), floor1.seconds(), floor1.linesPerSecond(), floor1.failures(), floor1.cpuSeconds());
            floor2 = ParseFloor.run(files, 2);
            out.printf(Locale.ROOT, "parse floor, 2 threads:  %,d lines in %.1f s = %,.0f lines/s (%d not bound; %.1f s on CPU)%n",
                    floor2.lines(), floor2.seconds(), floor2.linesPerSecond(), floor2.failures(), floor2.cpuSeconds());
            ParseFloor.warmUp(files, 400_000, ParseFloor.Binding.STRICT);
            strict1 = ParseFloor.run(files, 1, ParseFloor.Binding.STRICT);
            out.printf(Locale.ROOT, "strict parser, 1 thread: %,d lines in %.1f s = %,.0f lines/s (%d rejected; %.1f s on CPU; "
                            + "the engine's RecordParser over the same lines, each copied out as replay's reader does: "
                            + "no placement, no time, no Flink)%n",
                    strict1.lines(), strict1.seconds(), strict1.linesPerSecond(), strict1.failures(), strict1.cpuSeconds());
        }
        Map<Integer, Timed> passes = new LinkedHashMap<>();
        if (!skipFloor) {
            for (int p : parallelisms) {
                PassThrough.Result r = PassThrough.run(files, p);
                Timed t = r.timed();
                passes.put(p, t);
                out.printf(Locale.ROOT, "flink pass-through, parallelism %d: %,d lines (%d not bound); active %.1f s = %,.0f lines/s; "
                                + "%.1f s of CPU = %,.0f lines per CPU-second (replay's file sources, one reader per file, each line "
                                + "bound as the floor binds it, nothing else)%n",
                        p, t.lines(), r.notBound(), t.activeSeconds(), t.activeRate(), t.cpuSeconds(), t.cpuRate());
            }
        }

        Map<Integer, Run> runs = new LinkedHashMap<>();
        List<Integer> ordered = new ArrayList<>(parallelisms);
        for (int p : ordered) {
            Path outDir = work.resolve("replay-p" + p);
            deleteTree(outDir);
            Run r = replay(files, outDir, p, settings, pack);
            runs.put(p, r);
            out.printf(Locale.ROOT, "replay, parallelism %d:  %,d lines; wall %.1f s = %,.0f lines/s; active %.1f s = %,.0f lines/s; "
                            + "%,d alert records, %,d dead letters; this JVM used %.2f cores on average, %.1f s of CPU = %,.0f lines per CPU-second "
                            + "(of it %s%.1f s in GC pauses); load average after %s%n",
                    p, r.lines(), r.wallSeconds(), r.wallRate(), r.activeSeconds(), r.activeRate(), r.alertLines(), r.deadLetters(),
                    r.cores(), r.cpuSeconds(), r.cpuRate(),
                    r.threadCpu().isEmpty() ? "" : String.format(Locale.ROOT, "%.1f s in the JIT compiler threads, ", r.jitSeconds()),
                    r.gcSeconds(), r.loadAfter());
            if (!r.threadCpu().isEmpty()) {
                out.printf(Locale.ROOT, "  CPU by thread: %s%n", String.join(", ", r.threadCpu().entrySet().stream().limit(12)
                        .map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue())).toList()));
            }
        }

        boolean met = true;
        out.println();
        out.println("figure                                   measured      target   met");
        if (floor2 != null) {
            for (Run r : runs.values()) {
                double ratio = r.activeRate() / floor2.linesPerSecond();
                met &= ratio >= FLOOR_TARGET;
                out.printf(Locale.ROOT, "replay p%d / 2-thread parse floor         %6.1f%%     >= %2.0f%%   %s%n",
                        r.parallelism(), 100 * ratio, 100 * FLOOR_TARGET, ratio >= FLOOR_TARGET ? "yes" : "NO");
            }
            for (Run r : runs.values()) {
                out.printf(Locale.ROOT, "replay p%d / 1-thread parse floor         %6.1f%%        (info)%n",
                        r.parallelism(), 100 * r.activeRate() / floor1.linesPerSecond());
            }
            for (Run r : runs.values()) {
                out.printf(Locale.ROOT, "replay p%d / floor, lines per CPU-second  %6.1f%%        (info: %,.0f against %,.0f)%n",
                        r.parallelism(), 100 * r.cpuRate() / floor2.linesPerCpuSecond(), r.cpuRate(), floor2.linesPerCpuSecond());
            }
            int cores = Runtime.getRuntime().availableProcessors();
            double budget = cpuBudgetMicrosPerLine(floor2.linesPerSecond(), FLOOR_TARGET, cores);
            for (Run r : runs.values()) {
                out.printf(Locale.ROOT, "replay p%d CPU per line, microseconds     %6.2f         (info: %.0f%% of the 2-thread floor with all %d cores busy allows %.2f)%n",
                        r.parallelism(), r.cpuMicrosPerLine(), 100 * FLOOR_TARGET, cores, budget);
            }
            out.printf(Locale.ROOT, "strict parser / floor, lines per CPU-s   %6.1f%%        (info: %,.0f against %,.0f)%n",
                    100 * strict1.linesPerCpuSecond() / floor2.linesPerCpuSecond(), strict1.linesPerCpuSecond(), floor2.linesPerCpuSecond());
            for (Map.Entry<Integer, Timed> t : passes.entrySet()) {
                out.printf(Locale.ROOT, "pass-through p%d / 2-thread parse floor   %6.1f%%        (info: Flink, one reader per file, binding only)%n",
                        t.getKey(), 100 * t.getValue().activeRate() / floor2.linesPerSecond());
            }
            for (Run r : runs.values()) {
                Timed t = passes.get(r.parallelism());
                out.printf(Locale.ROOT, "replay p%d / pass-through p%d             %6.1f%%        (info)%n",
                        r.parallelism(), r.parallelism(), 100 * r.activeRate() / t.activeRate());
            }
        }
        if (runs.containsKey(1) && runs.containsKey(2)) {
            double scaling = runs.get(2).activeRate() / runs.get(1).activeRate();
            // the 1.7x target was withdrawn (issue 16): on two cores parallelism 1 already keeps both busy
            out.printf(Locale.ROOT, "replay p2 / p1 (active rates)            %6.2fx        (info: p1 used %.2f cores)%n",
                    scaling, runs.get(1).cores());
            boolean same = sameLines(work.resolve("replay-p1").resolve(Replay.ALERTS_FILE), work.resolve("replay-p2").resolve(Replay.ALERTS_FILE));
            met &= same;
            out.printf(Locale.ROOT, "same alerts.jsonl at p1 and p2 (multiset of lines, emittedAt aside): %s%n", same ? "yes" : "NO");
        }
        return met ? 0 : 3;
    }

    private Run replay(Map<StreamKind, Path> files, Path outDir, int parallelism, Map<String, String> settings, RulePack pack)
            throws Exception {
        Configuration conf = Replay.configuration(parallelism, Configuration.fromMap(settings));
        long gc = Machine.gcMillis();
        ThreadCpu threads = ThreadCpu.start();
        Timed t = timed(() -> Replay.run(files, outDir, pack, conf));
        Map<String, Double> threadCpu = threads.stop();
        return new Run(parallelism, t.lines(), t.wallSeconds(), t.activeSeconds(),
                countLines(outDir.resolve(Replay.ALERTS_FILE)), countLines(outDir.resolve(Replay.DEAD_LETTERS_FILE)),
                t.cpuSeconds(), threadCpu, (Machine.gcMillis() - gc) / 1e3, Machine.loadAverage());
    }

    /** A job over the replay files: lines read, wall and active seconds (as for {@link Run}), CPU seconds of the JVM. */
    record Timed(long lines, double wallSeconds, double activeSeconds, double cpuSeconds) {
        double activeRate() {
            return lines / activeSeconds;
        }

        double cpuRate() {
            return lines / cpuSeconds;
        }
    }

    /** What may fail, as a job does. */
    interface Job {
        void run() throws Exception;
    }

    /** Runs {@code job}, which reads the files with {@link JsonLinesFormat}, and times it from its start and from its first line read. */
    static Timed timed(Job job) throws Exception {
        JsonLinesFormat.LINES_READ.set(0);
        long[] firstRead = {0};
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                if (JsonLinesFormat.LINES_READ.get() > 0) {
                    firstRead[0] = System.nanoTime();
                    return;
                }
                try {
                    Thread.sleep(0, 200_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "replay-bench-sampler");
        sampler.setDaemon(true);
        long cpu = Machine.processCpuNanos();
        long start = System.nanoTime();
        sampler.start();
        job.run();
        long end = System.nanoTime();
        double cpuSeconds = (Machine.processCpuNanos() - cpu) / 1e9;
        sampler.interrupt();
        sampler.join();
        long first = firstRead[0] == 0 ? start : firstRead[0];
        return new Timed(JsonLinesFormat.LINES_READ.get(), (end - start) / 1e9, (end - first) / 1e9, cpuSeconds);
    }

    static long countLines(Path f) throws IOException {
        if (!Files.exists(f)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
            return lines.count();
        }
    }

    static boolean sameLines(Path a, Path b) throws IOException {
        if (!Files.exists(a) || !Files.exists(b)) {
            return false;
        }
        List<String> x = withoutEmittedAt(Files.readAllLines(a, StandardCharsets.UTF_8));
        List<String> y = withoutEmittedAt(Files.readAllLines(b, StandardCharsets.UTF_8));
        Collections.sort(x);
        Collections.sort(y);
        return x.equals(y);
    }

    /** The lines without their wall-clock field {@code emittedAt}, the only field that may differ between runs. */
    static List<String> withoutEmittedAt(List<String> lines) {
        List<String> out = new ArrayList<>(lines.size());
        for (String l : lines) {
            out.add(EMITTED_AT.matcher(l).replaceFirst(""));
        }
        return out;
    }

    private static final java.util.regex.Pattern EMITTED_AT = java.util.regex.Pattern.compile(",?\"emittedAt\":[0-9]+");

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
