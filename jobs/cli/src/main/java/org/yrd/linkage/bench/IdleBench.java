package org.yrd.linkage.bench;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.yrd.linkage.demo.LocalKafka;
import org.yrd.linkage.live.LiveJob;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EngineOptions;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * An idle live job: what the engine costs while no record arrives. Starts a broker with
 * {@code deploy/local/kafka.sh} on free loopback ports and the live job as {@code ./linkage run}
 * runs it (parallelism 2, live defaults, checkpoints every 10 s) on a MiniCluster in this JVM,
 * waits out the warm-up (start-up, the first checkpoints, most of the JIT), then measures this
 * JVM's CPU time over the measuring time: the job, its Kafka clients and the MiniCluster; the
 * broker is another process. Prints the Java threads that used the most CPU, by name, and what
 * the JVM's own threads (JIT, collector), which no Java thread list shows, used.
 */
public final class IdleBench {

    /** Target: at most 5% of one core. */
    public static final double TARGET_CORE_SHARE = 0.05;

    private final Path home;
    private final Path work;
    private final PrintStream out;

    public IdleBench(Path home, PrintStream out) {
        this.home = home;
        this.work = home.resolve("jobs/cli/target/bench/idle");
        this.out = out;
    }

    /** Returns 0 when the target is met, 3 when not. */
    public int run(Duration warmUp, Duration measure, int parallelism) throws Exception {
        out.println(Machine.describe());
        Files.createDirectories(work);
        ReplayBench.deleteTree(work.resolve("work"));
        ReplayBench.deleteTree(work.resolve("checkpoints"));
        int port = LatencyBench.freePortPair();
        LocalKafka kafka = new LocalKafka(home, work, out);
        Thread hook = new Thread(kafka::stop, "idle-bench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        JobClient job = null;
        try {
            String bootstrap = kafka.start(port);
            Configuration user = new Configuration();
            user.set(EngineOptions.KAFKA_BOOTSTRAP, bootstrap);
            user.set(EngineOptions.KAFKA_CREATE_TOPICS, true);
            user.set(EngineOptions.IDENTIFIER_DEV_KEY, true);
            user.setString("parallelism.default", Integer.toString(parallelism));
            user.setString("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
            user.setString("rest.bind-address", "127.0.0.1");
            user.setString("rest.bind-port", "0");
            Configuration conf = LiveJob.withLocalClusterDefaults(user);
            out.printf(Locale.ROOT, "settings: parallelism %d, checkpoints every %s, buffer timeout %s, broker %s; warm-up %d s, measured %d s%n",
                    parallelism, conf.getString("execution.checkpointing.interval", "?"), conf.getString("execution.buffer-timeout.interval", "?"),
                    bootstrap, warmUp.toSeconds(), measure.toSeconds());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
            LiveJob.prepare(env, conf, RulePack.defaults());
            job = env.executeAsync("yrd-linkage idle bench");
            Thread.sleep(warmUp.toMillis());
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                job.getJobExecutionResult().get();
                throw new IllegalStateException("the idle job ended during the warm-up");
            }

            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            Map<Long, Long> before = threadCpu(threads);
            ThreadCpu kernel = ThreadCpu.startUnsampled();
            long cpu0 = Machine.processCpuNanos();
            long t0 = System.nanoTime();
            Thread.sleep(measure.toMillis());
            double cpu = (Machine.processCpuNanos() - cpu0) / 1e9;
            double wall = (System.nanoTime() - t0) / 1e9;
            Map<Long, Long> after = threadCpu(threads);
            Map<String, Double> jvm = kernel.stop();

            Map<String, long[]> byName = new TreeMap<>();
            for (ThreadInfo t : threads.getThreadInfo(after.keySet().stream().mapToLong(Long::longValue).toArray())) {
                if (t == null) {
                    continue;
                }
                long[] v = byName.computeIfAbsent(group(t.getThreadName()), k -> new long[2]);
                v[0]++;
                v[1] += after.get(t.getThreadId()) - before.getOrDefault(t.getThreadId(), 0L);
            }
            out.printf(Locale.ROOT, "threads: %d in this JVM (%d live Java threads)%n", Machine.osThreads(), threads.getThreadCount());
            byName.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(12).forEach(e ->
                    out.printf(Locale.ROOT, "  %6.2f s CPU  %3d x %s%n", e.getValue()[1] / 1e9, e.getValue()[0], e.getKey()));
            if (!jvm.isEmpty()) {
                out.printf(Locale.ROOT, "every thread by the kernel's name (cut at 15 characters; the JVM's own and native ones too): %.2f s JIT compilers, %.2f s collector and VM thread%n",
                        ThreadCpu.jitSeconds(jvm), ThreadCpu.collectorSeconds(jvm));
                jvm.entrySet().stream().limit(12).forEach(e -> out.printf(Locale.ROOT, "  %6.2f s CPU  %s%n", e.getValue(), e.getKey()));
            }
            double share = cpu / wall;
            out.printf(Locale.ROOT, "idle live job: %.2f s of CPU in %.0f s = %.1f%% of one core (JIT and GC included); load average %s%n",
                    cpu, wall, 100 * share, Machine.loadAverage());
            boolean met = share <= TARGET_CORE_SHARE;
            out.printf(Locale.ROOT, "target: <= %.0f%% of one core: %s%n", 100 * TARGET_CORE_SHARE, met ? "met" : "NOT met");
            return met ? 0 : 3;
        } finally {
            if (job != null) {
                try {
                    job.cancel().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    out.println("idle: cancelling the job: " + e.getMessage());
                }
            }
            kafka.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private static Map<Long, Long> threadCpu(ThreadMXBean threads) {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (t >= 0) {
                cpu.put(id, t);
            }
        }
        return cpu;
    }

    /** A thread's name without its subtask index and number, e.g. {@code OutputFlusher for ...}, so that alike threads add up. */
    static String group(String name) {
        String g = name.replaceAll(" \\(\\d+/\\d+\\)#\\d+$", "").replaceAll("[-#\\s]*\\d+$", "");
        return g.length() > 90 ? g.substring(0, 90) + "..." : g;
    }
}
