package org.yrd.linkage.rules;

import java.util.List;

/**
 * A rule-pack file that cannot be used, with every problem found in it (not just the first), in
 * the order they appear in the file. The message lists them one a line.
 */
public class RuleValidationException extends RuntimeException {

    private final List<Problem> problems;

    public RuleValidationException(List<Problem> problems) {
        super(message(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a rule validation exception needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String message(List<Problem> problems) {
        StringBuilder sb = new StringBuilder();
        sb.append(problems.size() == 1 ? "1 problem" : problems.size() + " problems");
        if (!problems.isEmpty()) {
            sb.append(" in ").append(problems.get(0).file());
        }
        for (Problem p : problems) {
            sb.append(System.lineSeparator()).append("  ").append(p);
        }
        return sb.toString();
    }
}
