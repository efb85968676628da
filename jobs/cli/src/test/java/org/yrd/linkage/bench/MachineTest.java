package org.yrd.linkage.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MachineTest {

    @Test
    void findsTheJitCompilerThreadsAndTheirCpuTime() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        // by the time a test runs, the compilers have compiled JUnit, AssertJ and this class
        long before = Machine.jitCpuNanos();
        assertThat(before).isPositive();
        assertThat(before).isLessThan(Machine.processCpuNanos());
        long sum = 0;
        for (int i = 0; i < 2_000_000; i++) {
            sum += Long.toString(i).hashCode();
        }
        assertThat(sum).isNotZero();
        assertThat(Machine.jitCpuNanos()).isGreaterThanOrEqualTo(before);
    }
}
