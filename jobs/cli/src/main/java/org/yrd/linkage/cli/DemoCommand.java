package org.yrd.linkage.cli;

import org.yrd.linkage.demo.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.TreeSet;
import java.util.concurrent.Callable;

/** {@code ./linkage demo}: broker, engine and scenario on this machine, with a live view and map. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a Kafka broker, the engine and a scenario generator; show alerts live. Ctrl-C stops.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--duration", defaultValue = "10min", description = "Stop after this long (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--rate", defaultValue = "200", description = "Background events per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--port", defaultValue = "19092", description = "Port of the demo's Kafka broker (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--seed", defaultValue = "1", description = "Scenario seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (rate <= 0 || rate > 50_000) {
            return Cli.fail("--rate must be between 0 and 50000, not " + rate);
        }
        TreeSet<String> provinces = new Demo(Cli.home().toAbsolutePath(), port, rate, seed, System.out).run(Cli.duration(duration));
        System.out.println("demo: stopped; alerts reached " + provinces.size() + " provinces " + provinces);
        return 0;
    }
}
