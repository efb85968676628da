package org.yrd.linkage.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.time.Duration;

/** {@code ./linkage}: the engine's command line. */
@Command(name = "linkage", mixinStandardHelpOptions = true, version = "yrd-linkage 0.1.0",
        description = "Cross-provincial linkage of sensor, 110 and fraud streams for the Yangtze River Delta.",
        subcommands = {DemoCommand.class, ReplayCommand.class, RunCommand.class, TailCommand.class, ConsoleCommand.class, FeedCommand.class, AuditCommand.class, RulesCommand.class, BacktestCommand.class, StatusCommand.class, BenchCommand.class})
public final class LinkageCli {

    /**
     * How often the Pekko schedulers of a MiniCluster in this JVM tick, unless
     * {@code -Dpekko.scheduler.tick-duration} says otherwise. Pekko's default, 10 ms, wakes each of
     * the MiniCluster's two actor systems ({@code flink-scheduler}, {@code flink-metrics-scheduler})
     * 100 times a second whether or not anything is due: 0.7-0.9 s of CPU a minute, a fifth of
     * what an idle live job cost (BENCHMARKS.md, "Idle"). What Flink schedules there (RPC
     * timeouts, heartbeats every 10 s, registration retries) does not need 10 ms; no record, alert
     * or checkpoint waits for it.
     */
    private static final String PEKKO_TICK = "100ms";

    public static void main(String[] args) {
        // read when the first actor system starts, so before any command runs
        if (System.getProperty("pekko.scheduler.tick-duration") == null) {
            System.setProperty("pekko.scheduler.tick-duration", PEKKO_TICK);
        }
        System.exit(run(args));
    }

    /** Runs one command and returns its exit code: 0 done, 2 unusable arguments, 1 failure. */
    public static int run(String... args) {
        return new CommandLine(new LinkageCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(Duration.class, Cli::duration)
                .setParameterExceptionHandler((ex, a) -> {
                    ex.getCommandLine().getErr().println("linkage: " + ex.getMessage());
                    return CommandLine.ExitCode.USAGE;
                })
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    cmd.getErr().println("linkage: " + rootCause(ex));
                    return CommandLine.ExitCode.SOFTWARE;
                })
                .execute(args);
    }

    /**
     * The deepest cause of a failure, in one line: a failed Flink job wraps what went wrong in
     * several layers ("Job execution failed."), and only the innermost says why.
     */
    static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? "" : ": " + t.getMessage().lines().findFirst().orElse("");
        if (t instanceof OutOfMemoryError) {
            message += " (LINKAGE_JAVA_OPTS sets the heap, -Xmx4g unless set; replay keeps its state"
                    + " in RocksDB with --set state.backend.type=rocksdb)";
        }
        return t.getClass().getSimpleName() + message;
    }
}
