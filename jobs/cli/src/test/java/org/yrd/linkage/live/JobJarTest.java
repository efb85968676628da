package org.yrd.linkage.live;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yrd.linkage.testing.Project;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The job jar runs on a stock Flink: everything the engine needs at run time is in it. A separate
 * JVM whose classpath is Flink's lib alone (the jars deploy/local/pom.xml resolves for the local
 * cluster, as {@code flink.sh lib} prints them) plus the job jar runs {@link LiveJob}'s dry run on
 * the default rule-pack file: YAML parsing, the region data and the whole live job graph. Nothing
 * of this module's or the test's classpath leaks into it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class JobJarTest {

    @Test
    void theJobJarParsesTheDefaultPackAndBuildsTheLiveGraphOnFlinksLibAlone() throws Exception {
        Path root = Project.root();
        Path jar = root.resolve("jobs/engine/target/yrd-linkage-job.jar");
        assumeTrue(Files.isRegularFile(jar), "the job jar is built by the engine module's package phase (mvn verify)");
        Path target = Path.of("target").toAbsolutePath();
        Path lib = Path.of(run(target.resolve("flink-lib.log"), List.of(root.resolve("deploy/local/flink.sh").toString(), "lib")).strip());
        assertThat(lib.resolve("flink-runtime-2.2.1.jar")).as("Flink's lib as the local cluster runs it").isRegularFile();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = run(target.resolve("job-jar-dry-run.log"), List.of(java, "-Xmx256m", "-Djava.io.tmpdir=" + target,
                "-cp", lib + File.separator + "*" + File.pathSeparator + jar,
                LiveJob.class.getName(), "linkage.dry-run=true",
                "linkage.rules.file=" + root.resolve("config/rules/yrd-default.yaml"),
                "linkage.kafka.bootstrap-servers=127.0.0.1:9", "linkage.identifier.dev-key=true"));

        assertThat(out).contains("dry run: rule pack yrd-default version 1, 41 cities, job graph of ")
                .contains("nothing submitted");
    }

    /** Runs a command (the local scripts' work dir under target/); returns its stdout, or fails with everything it printed. */
    private static String run(Path log, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
        pb.environment().put("LINKAGE_WORK", log.getParent().resolve("job-jar-work").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        assertThat(code).as("%s exited %d: %s%s", command.get(0), code, out, Files.readString(log)).isZero();
        return out;
    }
}
