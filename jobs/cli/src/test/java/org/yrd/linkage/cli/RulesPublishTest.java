package org.yrd.linkage.cli;

import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.ops.FlinkRest;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.testing.KafkaBroker;
import org.yrd.linkage.testing.LiveJobs;
import org.yrd.linkage.testing.Project;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@code ./linkage rules publish} puts a valid pack on the rules topic under its id and refuses an
 * invalid one; {@code ./linkage status} then names the pack in force on a running job, read from
 * the rule-update step's gauges through Flink's REST API.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RulesPublishTest {

    private static KafkaBroker kafka;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = new KafkaBroker();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void captureOutput() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private static Optional<FlinkRest.RulePackInForce> awaitPack(FlinkRest rest, String jobId, String version) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Optional<FlinkRest.RulePackInForce> pack = Optional.empty();
        while (System.nanoTime() < end) {
            pack = rest.rulePack(jobId);
            if (pack.isPresent() && pack.get().version().equals(version)) {
                break;
            }
            Thread.sleep(500);
        }
        return pack;
    }

    @Test
    void aPublishedPackIsOnTheRulesTopicUnderItsIdAndStatusShowsItInForce() throws Exception {
        String prefix = "p1.";
        Topics topics = new Topics(prefix);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        JobClient job = LiveJobs.start(kafka, prefix, RulePack.defaults(), Map.of("rest.port", Integer.toString(port),
                "rest.bind-address", "127.0.0.1", "metrics.fetcher.update-interval", "500 ms"));
        try {
            FlinkRest rest = new FlinkRest("http://127.0.0.1:" + port);
            String jobId = job.getJobID().toString();
            assertThat(awaitPack(rest, jobId, "1")).as("the pack the job started with").get()
                    .extracting(FlinkRest.RulePackInForce::id).isEqualTo("yrd-default");

            Path invalid = Files.writeString(tmp.resolve("broken.yaml"), "id: broken\nversion: \"3\"\n");
            assertThat(LinkageCli.run("rules", "publish", invalid.toString(), "--bootstrap", kafka.bootstrap(), "--topic-prefix", prefix))
                    .isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("broken.yaml:")
                    .contains("linkage: " + invalid + " is not published: a running job would refuse it (");

            String v2 = Files.readString(Project.root().resolve("config/rules/yrd-default.yaml"))
                    .replace("version: \"1\"", "version: \"2\"").replace("threshold: 25", "threshold: 20");
            Path file = Files.writeString(tmp.resolve("my-pack.yaml"), v2);
            long before = System.currentTimeMillis();
            assertThat(LinkageCli.run("rules", "publish", file.toString(), "--bootstrap", kafka.bootstrap(), "--topic-prefix", prefix))
                    .isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .isEqualTo("published pack yrd-default version 2 to p1.rules (partition 0, offset 0)" + System.lineSeparator());
            List<ConsumerRecord<String, String>> published = kafka.readAll(List.of(topics.rules()), Duration.ofSeconds(20));
            assertThat(published).as("the valid pack only, under its id").extracting(ConsumerRecord::key, ConsumerRecord::value)
                    .containsExactly(tuple("yrd-default", v2));

            FlinkRest.RulePackInForce inForce = awaitPack(rest, jobId, "2").orElseThrow();
            assertThat(inForce.version()).isEqualTo("2");
            assertThat(inForce.since()).isBetween(before, System.currentTimeMillis());

            out.reset();
            assertThat(LinkageCli.run("status", "--rest", "http://127.0.0.1:" + port)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("rule pack yrd-default version 2, in force since ");
        } finally {
            job.cancel().get();
        }
    }
}
