package org.yrd.linkage.pattern;

import org.yrd.linkage.rules.PatternRule;

/**
 * The keys of the pattern operator: {@code <pattern id>@<version>|<key value>}. A pattern's
 * state is kept per version, so a changed pattern starts on keys of its own while its old
 * version's keys wind down, and the other patterns keep theirs. The key value is a grid cell,
 * an identifier ({@code TYPE:digest}), a city code, or empty for {@code key: none}.
 */
final class PatternKeys {

    private PatternKeys() {}

    static String of(PatternRule p, String value) {
        return p.id() + '@' + p.version() + '|' + value;
    }

    static String patternId(String key) {
        return key.substring(0, key.indexOf('@'));
    }

    static String version(String key) {
        return key.substring(key.indexOf('@') + 1, key.indexOf('|'));
    }

    static String value(String key) {
        return key.substring(key.indexOf('|') + 1);
    }
}
