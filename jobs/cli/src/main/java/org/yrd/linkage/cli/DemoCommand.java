package org.yrd.linkage.cli;

import org.yrd.linkage.console.ConsoleServer;
import org.yrd.linkage.demo.Demo;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.rules.RulePack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/** {@code ./linkage demo}: broker, engine, scenario and the provinces' console on this machine, with a live view and map. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a Kafka broker, the engine, a scenario generator and the console; show alerts live. Ctrl-C stops.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--duration", defaultValue = "10min", description = "Stop after this long (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--rate", defaultValue = "200", description = "Background events per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--speed", defaultValue = "20",
            description = "Scenario (event) time per second of wall-clock time, so that SLAs expire during the demo (default: ${DEFAULT-VALUE}; 1: real time).")
    double speed;

    @Option(names = "--port", defaultValue = "19092", description = "Port of the demo's Kafka broker (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--console-port", defaultValue = "18080", description = "Port of the console (default: ${DEFAULT-VALUE}).")
    int consolePort;

    @Option(names = "--seed", defaultValue = "1", description = "Scenario seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (rate <= 0 || rate > 50_000) {
            return Cli.fail("--rate must be between 0 and 50000, not " + rate);
        }
        if (!(speed >= 1 && speed <= 100)) {
            return Cli.fail("--speed must be between 1 and 100, not " + speed);
        }
        Duration length = Cli.duration(duration);
        Console console = new Console(consolePort);
        TreeSet<String> provinces = new Demo(Cli.home().toAbsolutePath(), port, rate, seed, speed, System.out).run(length, console);
        if (console.summary != null) {
            System.out.println("demo: the console showed " + console.summary);
        }
        System.out.println("demo: stopped; alerts reached " + provinces.size() + " provinces " + provinces);
        return 0;
    }

    /** The console beside the demo, on the demo's broker and scenario clock, with a fresh token for each province and the centre. */
    private static final class Console implements Demo.Companion {
        private final int port;
        private ConsoleServer server;
        private String summary;

        Console(int port) {
            this.port = port;
        }

        @Override
        public List<String> start(String bootstrap, LongSupplier scenarioClock) throws Exception {
            Properties kafka = new Properties();
            kafka.put("bootstrap.servers", bootstrap);
            server = ConsoleServer.start(new ConsoleServer.Settings(kafka, new Topics("yrd."), "127.0.0.1", port, null,
                    RulePack.defaults(), Duration.ofDays(1), scenarioClock));
            List<String> lines = new ArrayList<>();
            lines.add("console: " + server.url() + "  sign in with a province's token (or the centre's, YRD):");
            StringBuilder tokens = new StringBuilder();
            for (Map.Entry<String, String> t : server.tokensToHandOut().entrySet()) {
                tokens.append(tokens.length() == 0 ? "  " : "   ").append(t.getKey()).append(' ').append(t.getValue());
                if (tokens.length() > 60) {
                    lines.add(tokens.toString());
                    tokens.setLength(0);
                }
            }
            if (tokens.length() > 0) {
                lines.add(tokens.toString());
            }
            return lines;
        }

        @Override
        public void close() throws Exception {
            if (server != null) {
                summary = server.summary();
                server.close();
            }
        }
    }
}
