package org.yrd.linkage.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kafka broker on this machine, started and stopped with the project's {@code deploy/local/kafka.sh}
 * (a separate JVM from the Maven-resolved Kafka jars), with its state and the script's output under
 * a work directory of the caller. Used by the demo and the latency benchmark.
 */
public final class LocalKafka {

    private final Path home;
    private final Path work;
    private final PrintStream out;

    /**
     * @param home the project directory (where deploy/local/kafka.sh is)
     * @param work where the broker keeps its data and the script's log
     */
    public LocalKafka(Path home, Path work, PrintStream out) {
        this.home = home;
        this.work = work;
        this.out = out;
    }

    /** Starts the broker on 127.0.0.1:{@code port}; returns its bootstrap address. */
    public String start(int port) throws IOException, InterruptedException {
        int code = script("start", "--port", Integer.toString(port));
        if (code != 0) {
            throw new IllegalStateException("the Kafka broker did not start (deploy/local/kafka.sh exit " + code
                    + ", see " + work.resolve("kafka-script.log") + ")");
        }
        return "127.0.0.1:" + port;
    }

    /** Stops the broker if it runs; never throws, so that it can run in shutdown hooks. */
    public void stop() {
        try {
            script("stop");
        } catch (IOException | InterruptedException e) {
            out.println("stopping the Kafka broker: " + e.getMessage());
        }
    }

    private int script(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("deploy/local/kafka.sh").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("kafka-script.log").toFile()));
        pb.environment().put("LINKAGE_WORK", work.resolve("work").toString());
        return pb.start().waitFor();
    }
}
