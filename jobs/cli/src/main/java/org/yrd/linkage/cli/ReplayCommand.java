package org.yrd.linkage.cli;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.replay.JsonLinesFormat;
import org.yrd.linkage.replay.Replay;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EngineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code ./linkage replay}: exactly the command line of contracts/README.md. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Run the job graph over replay files; write alerts.jsonl and deadletter.jsonl.")
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--in", required = true, description = "Directory with sensor-readings.jsonl, emergency-calls.jsonl, fraud-reports.jsonl, alert-acks.jsonl (whichever exist).")
    Path in;

    @Option(names = "--out", required = true, description = "Directory to write alerts.jsonl and deadletter.jsonl into.")
    Path out;

    @Option(names = "--rules", description = "Rule pack file (default: the built-in pack yrd-default).")
    Path rules;

    @Option(names = "--parallelism", defaultValue = "1", description = "Parallelism of the job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--cap", description = "Also write cap/<alertId>_<revision>_<recipient>.xml (CAP 1.2).")
    boolean cap;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set an engine or Flink option, e.g. --set linkage.out-of-orderness=2min.")
    Map<String, String> settings = Map.of();

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(in) || !Files.isReadable(in)) {
            return Cli.fail("--in " + in + " is not a readable directory");
        }
        Map<StreamKind, Path> files = Replay.inputs(in);
        if (files.isEmpty()) {
            return Cli.fail("--in " + in + " holds none of sensor-readings.jsonl, emergency-calls.jsonl, fraud-reports.jsonl, alert-acks.jsonl");
        }
        for (Path f : files.values()) {
            if (!Files.isReadable(f)) {
                return Cli.fail(f + " is not readable");
            }
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            return Cli.fail("--out " + out + " exists and is not a directory");
        }
        if (parallelism < 1 || parallelism > 64) {
            return Cli.fail("--parallelism must be between 1 and 64, not " + parallelism);
        }
        RulePack pack;
        try {
            pack = RulesCommand.load(rules);
        } catch (RulesCommand.UsableException e) {
            return Cli.fail(e.getMessage());
        }
        Configuration conf = Replay.configuration(parallelism, Configuration.fromMap(settings));
        try {
            EngineOptions.validate(conf);
        } catch (IllegalArgumentException e) {
            return Cli.fail(e.getMessage());
        }
        boolean told = conf.contains(StateBackendOptions.STATE_BACKEND);
        conf = Replay.withStateBackend(conf, files);
        System.err.printf(Locale.ROOT, "replay: state %s (%s)%n", Replay.describeState(conf), told ? "as --set said"
                : String.format(Locale.ROOT, "%,d MiB of input, %,d MiB of heap; --set state.backend.type=hashmap or rocksdb decides",
                        Replay.inputBytes(files) >> 20, Runtime.getRuntime().maxMemory() >> 20));

        long start = System.nanoTime();
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replay-progress");
            t.setDaemon(true);
            return t;
        });
        progress.scheduleAtFixedRate(() -> System.err.printf(Locale.ROOT, "replay: %,d lines read, %,.0f lines/s%n",
                JsonLinesFormat.LINES_READ.get(), rate(JsonLinesFormat.LINES_READ.get(), start)), 5, 5, TimeUnit.SECONDS);
        try {
            Replay.run(files, out, pack, conf, cap);
        } finally {
            progress.shutdownNow();
        }
        long lines = JsonLinesFormat.LINES_READ.get();
        System.out.printf(Locale.ROOT, "replay: %,d lines in %.1f s, %,.0f lines/s; wrote %s and %s in %s%n",
                lines, (System.nanoTime() - start) / 1e9, rate(lines, start), Replay.ALERTS_FILE, Replay.DEAD_LETTERS_FILE, out);
        return 0;
    }

    private static double rate(long lines, long start) {
        double s = (System.nanoTime() - start) / 1e9;
        return s > 0 ? lines / s : 0;
    }
}
