package org.yrd.linkage.cli;

import org.yrd.linkage.console.ConsoleServer;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;
import org.yrd.linkage.rules.RuleValidationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code ./linkage console}: the provinces' and the centre's web console on the alert topics. */
@Command(name = "console", mixinStandardHelpOptions = true,
        description = "Serve the provinces' console: live alerts, evidence, answers (acknowledgements) and the centre's view. Ctrl-C stops.")
final class ConsoleCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 behind a TLS-terminating proxy).")
    String host;

    @Option(names = "--tokens", paramLabel = "FILE|DIR",
            description = "Sign-in tokens: lines '<310000|320000|330000|340000|YRD> <token> [operator]', or a mounted "
                    + "Kubernetes Secret (one file per province code or YRD). Default: a random token each, printed at start.")
    Path tokens;

    @Option(names = "--rules", paramLabel = "PACK.yaml",
            description = "Rule pack whose SLAs the countdowns use until the rules topic brings one (default: the built-in pack).")
    Path rules;

    @Option(names = "--since", defaultValue = "7d",
            description = "How far back the alert and acknowledgement topics are read at start (default: ${DEFAULT-VALUE}); "
                    + "every alert's current state is read from yrd.alerts-state whatever its age.")
    String since;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            return Cli.fail("--port must be between 0 and 65535, not " + port);
        }
        Duration window;
        try {
            window = Cli.duration(since);
        } catch (IllegalArgumentException e) {
            return Cli.fail("--since '" + since + "' is not a duration (e.g. 7d, 12h)");
        }
        if (tokens != null && !Files.exists(tokens)) {
            return Cli.fail("--tokens " + tokens + " does not exist");
        }
        RulePack pack;
        try {
            pack = rules == null ? RulePack.defaults() : RulePackFile.load(rules);
        } catch (NoSuchFileException e) {
            return Cli.fail("--rules " + rules + " does not exist");
        } catch (RuleValidationException e) {
            return Cli.fail("--rules " + e.getMessage().lines().findFirst().orElse(""));
        }
        ConsoleServer console;
        try {
            console = ConsoleServer.start(new ConsoleServer.Settings(kafka.client(), kafka.topics(), host, port, tokens, pack,
                    window, System::currentTimeMillis));
        } catch (IllegalArgumentException e) {
            return Cli.fail(e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                console.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "console-shutdown"));
        System.out.println("console: " + console.url() + " reading " + kafka.bootstrap + "; Ctrl-C stops");
        for (Map.Entry<String, String> t : console.tokensToHandOut().entrySet()) {
            System.out.println("console: token " + t.getKey() + "  " + t.getValue());
        }
        stopped.await();
        return 0;
    }
}
