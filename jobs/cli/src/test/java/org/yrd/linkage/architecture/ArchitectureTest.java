package org.yrd.linkage.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The house's layering, stated once and checked on every build. From the bottom: the contracts
 * as Java types ({@code common}), the engine's vocabulary ({@code runtime}: options, metric names,
 * side-output tags, the pack in force), the chain runtime every rule folds with ({@code chain}),
 * the operators ({@code ingest}, one package per rule family, {@code pattern} for the analysts'
 * own patterns, {@code alerting}, {@code feedback}),
 * the job graph ({@code engine}), its sources and sinks ({@code live}, {@code replay}); above the
 * engine, the tools ({@code ops}, {@code demo}, {@code console}, {@code backtest}, {@code bench}) and the command
 * line. Nothing imports upward and no two packages import each other.
 */
class ArchitectureTest {

    private static final String BASE = "org.yrd.linkage.";

    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        // the project's own production classes: this module's, and the engine's and common's jars, none of the tests
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.isJar()
                        || location.contains("/yrd-") && !location.contains("-tests.jar"))
                .importPackages("org.yrd.linkage");
        assertThat(classes.stream().map(c -> c.getPackageName()).distinct())
                .as("the importer sees the engine, the tools and common")
                .contains(BASE + "engine", BASE + "cli", BASE + "model");
    }

    private static String[] packages(String... names) {
        return java.util.Arrays.stream(names).map(n -> BASE + n + "..").toArray(String[]::new);
    }

    @Test
    void layersOnlyImportDownward() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Command line").definedBy(packages("cli"))
                .layer("Tools").definedBy(packages("ops", "demo", "console", "backtest", "bench"))
                .layer("Sources and sinks").definedBy(packages("live", "replay"))
                .layer("Job graph").definedBy(packages("engine"))
                .layer("Operators").definedBy(packages("ingest", "incident", "cyber", "pattern", "alerting", "feedback"))
                .layer("Chain runtime").definedBy(packages("chain"))
                .layer("Engine vocabulary").definedBy(packages("runtime"))
                .layer("Contracts").definedBy(packages("model", "alert", "ident", "region", "rules"))
                .whereLayer("Command line").mayNotBeAccessedByAnyLayer()
                .whereLayer("Tools").mayOnlyBeAccessedByLayers("Command line")
                .whereLayer("Sources and sinks").mayOnlyBeAccessedByLayers("Tools", "Command line")
                .whereLayer("Job graph").mayOnlyBeAccessedByLayers("Sources and sinks", "Tools", "Command line")
                .whereLayer("Operators").mayOnlyBeAccessedByLayers("Job graph", "Sources and sinks", "Tools", "Command line")
                .whereLayer("Chain runtime").mayOnlyBeAccessedByLayers("Operators", "Job graph", "Sources and sinks", "Tools",
                        "Command line")
                .whereLayer("Engine vocabulary").mayOnlyBeAccessedByLayers("Chain runtime", "Operators", "Job graph",
                        "Sources and sinks", "Tools", "Command line")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching(BASE + "(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void operatorsDoNotKnowEachOther() {
        // a rule family, ingestion, alerting and feedback each stand alone on the chain runtime
        slices().matching(BASE + "(ingest|incident|cyber|pattern|alerting|feedback)..").should().notDependOnEachOther().check(classes);
    }

    @Test
    void theJobJarShipsTheEngineAndNoTool() throws IOException {
        Path jar = Path.of("").toAbsolutePath().resolveSibling("engine").resolve("target/yrd-linkage-job.jar");
        assumeTrue(Files.isRegularFile(jar), "the job jar is built by the engine module's package phase (mvn verify)");
        List<String> tools = List.of("cli", "ops", "demo", "console", "backtest", "bench", "architecture");
        try (JarFile j = new JarFile(jar.toFile())) {
            List<String> ours = j.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("org/yrd/linkage/") && n.endsWith(".class")).toList();
            assertThat(ours).anyMatch(n -> n.startsWith("org/yrd/linkage/engine/LinkageJob"))
                    .anyMatch(n -> n.startsWith("org/yrd/linkage/live/LiveJob"));
            assertThat(ours).noneMatch(n -> tools.stream().anyMatch(t -> n.startsWith("org/yrd/linkage/" + t + "/")));
            assertThat(j.stream().map(e -> e.getName())).noneMatch(n -> n.startsWith("picocli/") || n.startsWith("org/HdrHistogram/"));
        }
    }
}
