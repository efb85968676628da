package org.yrd.linkage.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * What a figure was measured on: cores, memory, CPU model, JVM and its flags, the load at the
 * start. Every benchmark prints this first, so a figure is never quoted without its machine.
 */
public final class Machine {

    private Machine() {}

    /** A few lines describing this machine and JVM. */
    public static String describe() {
        StringBuilder s = new StringBuilder();
        s.append("machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores (nproc), ")
                .append(memTotal()).append(" RAM, CPU ").append(cpuModel()).append('\n');
        s.append("jvm:     ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
                .append(", max heap ").append(mib(Runtime.getRuntime().maxMemory())).append(", flags ")
                .append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                        .filter(a -> a.startsWith("-X") || a.startsWith("-XX")).toList())).append('\n');
        s.append("os:      ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(", load average at start ").append(loadAverage()).append('\n');
        s.append("date:    ").append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(Instant.now().atOffset(ZoneOffset.UTC).withNano(0))).append(" UTC");
        return s.toString();
    }

    static String cpuModel() {
        return firstValue(Path.of("/proc/cpuinfo"), "model name").orElse(System.getProperty("os.arch"));
    }

    static String memTotal() {
        return firstValue(Path.of("/proc/meminfo"), "MemTotal")
                .map(v -> {
                    String kb = v.replace("kB", "").trim();
                    try {
                        return String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(kb) / 1024.0 / 1024.0);
                    } catch (NumberFormatException e) {
                        return v;
                    }
                })
                .orElse("unknown");
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** Resident set size of this process (heap, metaspace, RocksDB and all other native memory). */
    public static long rssBytes() {
        return firstValue(Path.of("/proc/self/status"), "VmRSS")
                .map(v -> Long.parseLong(v.replace("kB", "").trim()) * 1024)
                .orElse(-1L);
    }

    /** Threads of this process as the OS counts them (Java threads and native ones: RocksDB, GC, JIT), or -1. */
    public static long osThreads() {
        return firstValue(Path.of("/proc/self/status"), "Threads").map(v -> Long.parseLong(v.trim())).orElse(-1L);
    }

    /** CPU time this process has used so far (all threads), or -1 when the JVM does not say. */
    public static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** Time the garbage collectors have spent so far, as the JVM counts it (pauses, for G1). */
    public static long gcMillis() {
        long total = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** Heap in use after asking for two full collections. */
    public static long heapAfterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static java.util.Optional<String> firstValue(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String l : lines) {
                int colon = l.indexOf(':');
                if (colon > 0 && l.substring(0, colon).trim().equals(key)) {
                    return java.util.Optional.of(l.substring(colon + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the caller has a fallback
        }
        return java.util.Optional.empty();
    }

    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,.0f MiB", bytes / 1024.0 / 1024.0);
    }
}
