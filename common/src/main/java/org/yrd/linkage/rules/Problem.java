package org.yrd.linkage.rules;

import java.io.Serializable;

/**
 * One thing wrong in a rule-pack file, located for the analyst who has to fix it: the file, the
 * 1-based line of the offending value, the dotted path of the field ({@code INC-CASCADE.window},
 * {@code hazards.GAS.threshold}; empty for the file as a whole) and a message that says what is
 * wrong and what would be right.
 */
public record Problem(String file, int line, String field, String message) implements Serializable {

    /** Reads like a compiler message: {@code yrd-default.yaml:14 INC-CASCADE.window: 'x' is not a duration; write 30m}. */
    @Override
    public String toString() {
        return field.isEmpty()
                ? file + ":" + line + " " + message
                : file + ":" + line + " " + field + ": " + message;
    }
}
