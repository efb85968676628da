package org.yrd.linkage.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the project's {@code shared/} folder (contracts, data, examples), which lies beside the clone. */
public final class SharedData {

    private SharedData() {}

    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path shared = d.resolve("shared");
            if (Files.isDirectory(shared.resolve("contracts"))) {
                return shared;
            }
        }
        throw new IllegalStateException("no shared/ with contracts/ above " + dir);
    }

    public static Path example(String name) {
        return root().resolve("examples").resolve(name);
    }

    /** The project's own root (the folder with the parent pom and config/). */
    public static Path projectRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("config")) && Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("jobs"))) {
                return d;
            }
        }
        throw new IllegalStateException("not inside the project");
    }
}
