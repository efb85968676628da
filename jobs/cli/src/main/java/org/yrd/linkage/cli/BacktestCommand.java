package org.yrd.linkage.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.backtest.Backtest;
import org.yrd.linkage.replay.JsonLinesFormat;
import org.yrd.linkage.replay.Replay;
import org.yrd.linkage.rules.RulePack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code ./linkage backtest}: a candidate rule pack against a baseline over the same history, before it goes live. */
@Command(name = "backtest", mixinStandardHelpOptions = true,
        description = "Replay history with a baseline and a candidate rule pack; write the diff, counts, precision/recall and an HTML report.")
final class BacktestCommand implements Callable<Integer> {

    @Option(names = "--rules", required = true, description = "The candidate rule pack.")
    Path rules;

    @Option(names = "--baseline", description = "The baseline rule pack (default: the built-in pack yrd-default).")
    Path baseline;

    @Option(names = "--in", required = true, description = "Replay input directory (the history).")
    Path in;

    @Option(names = "--labels", description = "Acknowledgements with CONFIRMED / RESOLVED / FALSE_ALARM statuses (alert-ack JSON Lines) to score against.")
    Path labels;

    @Option(names = "--out", required = true, description = "Directory for diff.json, report.html and both replays.")
    Path out;

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of each replay (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Override
    public Integer call() throws Exception {
        RulePack candidate;
        RulePack base;
        try {
            candidate = RulesCommand.load(rules);
            base = RulesCommand.load(baseline);
        } catch (RulesCommand.UsableException e) {
            return Cli.fail(e.getMessage());
        }
        if (!Files.isDirectory(in)) {
            return Cli.fail("--in " + in + " is not a readable directory");
        }
        Map<StreamKind, Path> inputs = Replay.inputs(in);
        if (inputs.isEmpty()) {
            return Cli.fail("--in " + in + " holds no replay file");
        }
        if (labels != null && !Files.isReadable(labels)) {
            return Cli.fail("--labels " + labels + " is not readable");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            return Cli.fail("--out " + out + " exists and is not a directory");
        }
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "backtest-progress");
            t.setDaemon(true);
            return t;
        });
        String[] phase = {"baseline"};
        progress.scheduleAtFixedRate(() -> System.err.printf(Locale.ROOT, "backtest: %s, %,d lines read%n",
                phase[0], JsonLinesFormat.LINES_READ.get()), 5, 5, TimeUnit.SECONDS);
        Backtest.Result b;
        Backtest.Result c;
        try {
            b = Backtest.run("baseline", inputs, out.resolve("baseline"), base, parallelism);
            phase[0] = "candidate";
            c = Backtest.run("candidate", inputs, out.resolve("candidate"), candidate, parallelism);
        } finally {
            progress.shutdownNow();
        }
        Backtest.Diff diff = Backtest.diff(b, c);
        ObjectNode report = Backtest.report(b, c, diff, labels == null ? null : Backtest.labels(labels));
        Files.writeString(out.resolve("diff.json"), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("report.html"), Backtest.html(report, c, Backtest.locations(inputs)), StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT, "backtest: baseline %s v%s %d alerts, candidate %s v%s %d alerts: %d only in candidate, %d only in baseline, %d changed%n",
                base.id(), base.version(), b.alerts().size(), candidate.id(), candidate.version(), c.alerts().size(),
                diff.onlyInCandidate().size(), diff.onlyInBaseline().size(), diff.changed().size());
        if (labels != null) {
            System.out.printf(Locale.ROOT, "backtest: precision %.3f -> %.3f, recall %.3f -> %.3f%n",
                    report.at("/baseline/precision").asDouble(), report.at("/candidate/precision").asDouble(),
                    report.at("/baseline/recall").asDouble(), report.at("/candidate/recall").asDouble());
        }
        System.out.println("backtest: wrote " + out.resolve("diff.json") + " and " + out.resolve("report.html"));
        return 0;
    }
}
