package org.yrd.linkage.cli;

import org.yrd.linkage.pattern.PatternCompiler;
import org.yrd.linkage.rules.Problem;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.rules.RulePackFile;
import org.yrd.linkage.rules.RuleValidationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./linkage rules validate PATH...}: checks rule-pack files as analysts write them. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Work with rule-pack files.",
        subcommands = {RulesCommand.Validate.class})
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
