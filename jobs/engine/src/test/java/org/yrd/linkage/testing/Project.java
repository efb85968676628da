package org.yrd.linkage.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's own files from a test: the root (with the parent pom, {@code config/} and
 * {@code docs/contracts/}), the contracts and the worked examples. Everything a test reads is in
 * the clone; nothing outside it.
 */
public final class Project {

    private Project() {}

    /** The project's root: the folder with the parent pom, config/ and docs/contracts/. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("config"))
                    && Files.isDirectory(d.resolve("docs/contracts"))) {
                return d;
            }
        }
        throw new IllegalStateException("not inside the project: no pom.xml with config/ and docs/contracts/ above " + dir);
    }

    /** A contract file of docs/contracts/ (schemas, rules-v1.md). */
    public static Path contract(String name) {
        return root().resolve("docs/contracts").resolve(name);
    }

    /** A worked example of examples/: {@code in/} and {@code expected-final-alerts.jsonl}. */
    public static Path example(String name) {
        return root().resolve("examples").resolve(name);
    }
}
