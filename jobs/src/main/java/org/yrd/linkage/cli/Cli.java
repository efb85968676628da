package org.yrd.linkage.cli;

/** Shared conventions of the commands. */
final class Cli {

    /** Unusable arguments: exit code 2 (contracts/README.md). */
    static final int USAGE = 2;

    private Cli() {}

    /** Prints a one-line message naming the problem and returns the usage exit code. */
    static int fail(String message) {
        System.err.println("linkage: " + message);
        return USAGE;
    }
}
