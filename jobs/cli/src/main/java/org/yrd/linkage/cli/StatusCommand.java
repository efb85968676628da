package org.yrd.linkage.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.yrd.linkage.ops.FlinkRest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code ./linkage status}: one screen about a running job, from Flink's REST API: its state, its
 * last failure (which task, and why, in one line), the rule pack in force, checkpoints and the
 * engine's counts.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Job state, last failure, rule pack in force, last checkpoint, throughput per stream, alerts, dead letters and unacknowledged alerts of a running job.")
final class StatusCommand implements Callable<Integer> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm:ss").withZone(ZoneOffset.ofHours(8));

    private static final Set<String> ENDED = Set.of("FINISHED", "CANCELED", "FAILED");

    @Option(names = "--rest", defaultValue = "http://127.0.0.1:8081", description = "Flink REST address (default: ${DEFAULT-VALUE}).")
    String rest;

    @Option(names = "--job", description = "Job id (default: the newest job that has not ended).")
    String jobId;

    @Override
    public Integer call() throws Exception {
        FlinkRest api = new FlinkRest(rest);
        List<JsonNode> jobs;
        try {
            jobs = api.jobs();
        } catch (java.io.IOException e) {
            return Cli.fail("no Flink REST API at " + rest + " (" + e.getMessage() + ")");
        }
        // a job that fails and restarts (RESTARTING, FAILING, ...) is shown too: its last failure says why
        JsonNode job = jobs.stream().filter(j -> jobId != null ? j.path("jid").asText().equals(jobId) : !ENDED.contains(j.path("state").asText()))
                .findFirst().orElse(null);
        if (job == null) {
            return Cli.fail(jobId != null ? "no job " + jobId + " at " + rest : "no running job at " + rest);
        }
        String jid = job.path("jid").asText();
        long now = System.currentTimeMillis();
        System.out.printf(Locale.ROOT, "job %s  %s  since %s (%s)  id %s%n", job.path("name").asText(), job.path("state").asText(),
                TIME.format(Instant.ofEpochMilli(job.path("start-time").asLong())), ago(now - job.path("start-time").asLong()), jid);
        JsonNode cp = api.get("/jobs/" + jid + "/checkpoints");
        JsonNode last = cp.path("latest").path("completed");
        if (last.isMissingNode() || last.isNull()) {
            System.out.println("checkpoints: none completed yet");
        } else {
            System.out.printf(Locale.ROOT, "checkpoint #%d completed %s ago, %s, %d ms; %d completed, %d failed%n", last.path("id").asLong(),
                    ago(now - last.path("latest_ack_timestamp").asLong()), bytes(last.path("checkpointed_size").asLong(last.path("state_size").asLong())),
                    last.path("end_to_end_duration").asLong(), cp.path("counts").path("completed").asLong(), cp.path("counts").path("failed").asLong());
        }
        long restarts = api.restarts(jid);
        api.lastFailure(jid).ifPresent(f -> System.out.printf(Locale.ROOT, "last failure %s (%s ago) in %s: %s; %d restart%s%n",
                TIME.format(Instant.ofEpochMilli(f.at())), ago(now - f.at()), f.task(), f.cause(), restarts, restarts == 1 ? "" : "s"));
        api.rulePack(jid).ifPresent(p -> System.out.printf(Locale.ROOT, "rule pack %s version %s, in force since %s (%s)%n",
                p.id(), p.version(), TIME.format(Instant.ofEpochMilli(p.since())), ago(now - p.since())));
        Map<String, Double> m = api.engineMetrics(jid);
        print("events in", m, "eventsIn");
        print("dead letters", m, "deadLetters");
        print("repeats ignored", m, "repeatedIgnored");
        print("alert records", m, "alertRecords");
        print("open chains", m, "openChains");
        print("awaiting ack", m, "awaitingAck");
        print("escalations", m, "escalations");
        return 0;
    }

    private static void print(String title, Map<String, Double> metrics, String name) {
        Map<String, Double> rows = new TreeMap<>();
        metrics.forEach((k, v) -> {
            if ((k.equals(name) || k.startsWith(name + " ")) && v != 0) {
                rows.put(k.substring(name.length()).strip(), v);
            }
        });
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-16s", title + ":"));
        if (rows.isEmpty()) {
            s.append(" none");
        }
        rows.forEach((k, v) -> s.append(String.format(Locale.ROOT, "  %s %,.0f", k.replace("stream=", "").replace("rule=", "")
                .replace("reason=", "").replace("msgType=", "").replace("recipient=", "->").replace("province=", ""), v)));
        System.out.println(s);
    }

    private static String ago(long ms) {
        long s = ms / 1000;
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s / 3600 + " h";
    }

    private static String bytes(long b) {
        return b < 1 << 20 ? String.format(Locale.ROOT, "%.1f KB", b / 1024.0) : String.format(Locale.ROOT, "%.1f MB", b / 1048576.0);
    }
}
