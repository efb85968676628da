package org.yrd.linkage.cli;

/** Shared conventions of the commands. */
final class Cli {

    /** Unusable arguments: exit code 2 (contracts/README.md). */
    static final int USAGE = 2;

    private Cli() {}

    /** The project directory (set by the ./linkage launcher), for defaults under it. */
    static java.nio.file.Path home() {
        return java.nio.file.Path.of(System.getProperty("linkage.home", "."));
    }

    /** A duration written as 90s, 5min, 2h or 500ms. */
    static java.time.Duration duration(String text) {
        return org.apache.flink.util.TimeUtils.parseDuration(text);
    }

    /** Prints a one-line message naming the problem and returns the usage exit code. */
    static int fail(String message) {
        System.err.println("linkage: " + message);
        return USAGE;
    }
}
