package org.yrd.linkage.cli;

import org.yrd.linkage.pattern.PatternCompiler;
import org.yrd.linkage.rules.Problem;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;
import org.yrd.linkage.rules.RuleValidationException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * {@code ./linkage rules validate PATH...} checks rule-pack files as analysts write them;
 * {@code ./linkage rules publish PATH} puts a valid one in force on a running job, through the
 * rules topic, so that analysts need no Kafka tool.
 */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Work with rule-pack files.",
        subcommands = {RulesCommand.Validate.class, RulesCommand.Publish.class})
final class RulesCommand {

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check rule packs; print every problem with file, line and field. Exit 0 valid, 2 invalid.")
    static final class Validate implements Callable<Integer> {

        @Parameters(arity = "1..*", paramLabel = "PATH", description = "Rule-pack YAML files.")
        List<Path> files;

        @Override
        public Integer call() {
            int code = 0;
            for (Path f : files) {
                try {
                    RulePack pack = RulePackFile.load(f);
                    List<String> refused = PatternCompiler.problems(pack);
                    if (!refused.isEmpty()) {
                        refused.forEach(p -> System.err.println(f + " " + p));
                        code = Cli.USAGE;
                        continue;
                    }
                    System.out.println(f + ": valid, pack " + pack.id() + " version " + pack.version()
                            + (pack.patterns().isEmpty() ? "" : ", " + pack.patterns().size() + " pattern"
                            + (pack.patterns().size() == 1 ? "" : "s")));
                } catch (RuleValidationException e) {
                    e.problems().forEach(System.err::println);
                    code = Cli.USAGE;
                } catch (IOException e) {
                    System.err.println(f + ": cannot read: " + e.getMessage());
                    code = Cli.USAGE;
                }
            }
            return code;
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Validate a rule pack and publish it to the rules topic (key: the pack id); the running job applies it "
                    + "without a restart (./linkage status shows the pack in force). Exit 0 published, 2 invalid, 1 not published.")
    static final class Publish implements Callable<Integer> {

        @Mixin
        KafkaOptions kafka;

        @Parameters(paramLabel = "PATH", description = "The rule-pack YAML file: the whole pack, as the job will use it.")
        Path file;

        @Override
        public Integer call() throws Exception {
            RulePack pack;
            try {
                pack = RulePackFile.load(file);
            } catch (RuleValidationException e) {
                e.problems().forEach(System.err::println);
                return Cli.fail(file + " is not published: a running job would refuse it (" + e.problems().size() + " problem"
                        + (e.problems().size() == 1 ? "" : "s") + " above)");
            } catch (IOException e) {
                return Cli.fail(file + " cannot be read: " + e.getMessage());
            }
            // the file's text as written, comments included: the job validates and reads exactly this
            String yaml = Files.readString(file);
            String topic = kafka.topics().rules();
            Properties p = kafka.client();
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                RecordMetadata at = producer.send(new ProducerRecord<>(topic, pack.id(), yaml)).get();
                System.out.printf("published pack %s version %s to %s (partition %d, offset %d)%n",
                        pack.id(), pack.version(), topic, at.partition(), at.offset());
            } catch (ExecutionException e) {
                System.err.println("linkage: pack " + pack.id() + " version " + pack.version() + " not published to " + topic + ": " + e.getCause());
                return 1;
            }
            return 0;
        }
    }

    /**
     * The pack of {@code --rules}, or the default; an unusable file ends the command with one line
     * naming the first problem (contracts/README.md).
     */
    static RulePack load(Path file) throws UsableException {
        if (file == null) {
            return RulePack.defaults();
        }
        try {
            RulePack pack = RulePackFile.load(file);
            List<String> refused = PatternCompiler.problems(pack);
            if (!refused.isEmpty()) {
                throw new UsableException("--rules " + file + " " + refused.get(0));
            }
            return pack;
        } catch (RuleValidationException e) {
            List<Problem> problems = e.problems();
            String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more; see ./linkage rules validate " + file + ")" : "";
            throw new UsableException("--rules " + problems.get(0) + more);
        } catch (IOException e) {
            throw new UsableException("--rules " + file + " cannot be read: " + e.getMessage());
        }
    }

    /** A rule file that cannot be used, with the one-line message to show. */
    static final class UsableException extends Exception {
        UsableException(String message) {
            super(message, null, false, false);
        }
    }
}
