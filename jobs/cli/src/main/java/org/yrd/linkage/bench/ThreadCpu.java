package org.yrd.linkage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's threads over an interval, by thread name, from {@code /proc/self/task}:
 * every thread, the JIT compilers, the collectors and RocksDB's native threads among them, which
 * a Java profiler does not sample. A thread's time is read every {@link #PERIOD_MILLIS} while it
 * lives, so a thread that ends keeps what it had at the last reading ({@link #startUnsampled}: at
 * the start and the end only). Names are the kernel's
 * (cut at 15 characters, e.g. {@code INC-CLUSTER (ca}), with digits replaced by {@code #} so that
 * the subtasks of one operator add up. Empty where there is no {@code /proc}.
 */
final class ThreadCpu implements AutoCloseable {

    static final long PERIOD_MILLIS = 500;
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final long NANOS_PER_TICK = 1_000_000_000L / 100; // USER_HZ is 100 on Linux

    private final Map<String, Long> startTicks = new HashMap<>();
    private final Map<String, Reading> last = new HashMap<>();
    private final Thread sampler;

    private record Reading(String name, long ticks) {}

    private ThreadCpu(boolean sample) {
        read().forEach((tid, r) -> startTicks.put(tid, r.ticks()));
        if (!sample) {
            sampler = null;
            return;
        }
        sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                keep(read());
                try {
                    Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-thread-cpu");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts reading the threads' CPU time. */
    static ThreadCpu start() {
        return new ThreadCpu(true);
    }

    /**
     * Reads the threads' CPU time now and at {@link #stop} only: for a measurement whose threads
     * live throughout, where reading every thread's files twice a second would itself be a
     * good part of what is measured (an idle job).
     */
    static ThreadCpu startUnsampled() {
        return new ThreadCpu(false);
    }

    /** Stops reading; the seconds of CPU each thread name used since {@link #start} or {@link #startUnsampled}, largest first. */
    Map<String, Double> stop() throws InterruptedException {
        close();
        keep(read());
        Map<String, Double> byName = new HashMap<>();
        synchronized (last) {
            for (Map.Entry<String, Reading> e : last.entrySet()) {
                long ticks = e.getValue().ticks() - startTicks.getOrDefault(e.getKey(), 0L);
                byName.merge(e.getValue().name(), ticks * NANOS_PER_TICK / 1e9, Double::sum);
            }
        }
        Map<String, Double> sorted = new LinkedHashMap<>();
        byName.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** Of {@link #stop}'s figures, the JIT compilers' ({@code C1 CompilerThre}, {@code C2 CompilerThre}). */
    static double jitSeconds(Map<String, Double> byName) {
        return sum(byName, name -> name.contains("CompilerThre"));
    }

    /**
     * Of {@link #stop}'s figures, the collectors' and the VM thread's, which runs the safepoints
     * (G1's and the parallel collector's thread names: {@code GC Thread#}, {@code G# ...}, {@code VM Thread}).
     */
    static double collectorSeconds(Map<String, Double> byName) {
        return sum(byName, name -> name.startsWith("GC Thread") || name.startsWith("G# ") || name.equals("VM Thread"));
    }

    private static double sum(Map<String, Double> byName, Predicate<String> which) {
        return byName.entrySet().stream().filter(e -> which.test(e.getKey())).mapToDouble(Map.Entry::getValue).sum();
    }

    @Override
    public void close() throws InterruptedException {
        if (sampler != null) {
            sampler.interrupt();
            sampler.join();
        }
    }

    /** Keeps each thread's latest reading, so that a thread that ends keeps what it had. */
    private void keep(Map<String, Reading> readings) {
        synchronized (last) {
            last.putAll(readings);
        }
    }

    /** Each live thread's name and CPU ticks by thread id; empty where there is no {@code /proc}. */
    private static Map<String, Reading> read() {
        Map<String, Reading> readings = new HashMap<>();
        if (!Files.isDirectory(TASKS)) {
            return readings;
        }
        try (Stream<Path> threads = Files.list(TASKS)) {
            for (Path t : (Iterable<Path>) threads::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    // read each time: a new thread is named "java" until the JVM names it
                    String name = Files.readString(t.resolve("comm")).strip().replaceAll("[0-9]+", "#");
                    readings.put(t.getFileName().toString(), new Reading(name, ticks));
                } catch (IOException | RuntimeException ended) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            // no reading this time
        }
        return readings;
    }
}
