package org.yrd.linkage.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ThreadCpuTest {

    @Test
    void givesTheCpuOfEachThreadByNameSinceItStarted() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        Thread busy = new Thread(() -> {
            long end = System.nanoTime() + 1_200_000_000L;
            long sum = 0;
            while (System.nanoTime() < end) {
                sum += Long.toString(sum).hashCode();
            }
            if (sum == 42) {
                System.out.println(sum);
            }
        }, "busy-worker-7");
        Map<String, Double> cpu;
        try (ThreadCpu threads = ThreadCpu.start()) {
            busy.start();
            busy.join();
            cpu = threads.stop();
        }
        // the thread had ended before stop(): its time is what the sampler last read, digits made #
        assertThat(cpu).containsKey("busy-worker-#");
        assertThat(cpu.get("busy-worker-#")).isBetween(0.1, 1.3);
        assertThat(new ArrayList<>(cpu.values())).isSortedAccordingTo(Comparator.reverseOrder());
    }
}
