package org.yrd.linkage.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A YAML document read into nodes that remember their line, so that every later complaint can
 * point at the value it is about. Reading keeps going after duplicate keys and aliases (each is a
 * problem) but stops at a syntax error, whose line comes from the YAML scanner.
 */
final class YamlTree {

    // the plain constructor: a factory from YAMLFactory.builder() reads an empty value as "" rather than null
    private static final YAMLFactory YAML = new YAMLFactory();

    private YamlTree() {}

    sealed interface Node permits Scalar, Mapping, Sequence {
        /** 1-based line where the value starts. */
        int line();
    }

    enum ScalarKind { TEXT, INTEGER, DECIMAL, BOOLEAN, NULL }

    /**
     * A plain or quoted value. {@code value} is a String, a Number (Long or BigInteger for
     * integers, Double for decimals, including infinities and NaN), a Boolean or null.
     */
    record Scalar(ScalarKind kind, String text, Object value, int line) implements Node {}

    record Entry(String key, int keyLine, Node value) {}

    /** Keys in file order; a duplicate key keeps its first value (the duplicate is a problem). */
    record Mapping(Map<String, Entry> entries, int line) implements Node {}

    record Sequence(List<Node> items, int line) implements Node {}

    /** A problem found while reading, before anything knows what the keys mean. */
    record Complaint(int line, String field, String message) {}

    /** The YAML is not well-formed: reading stopped here. */
    static final class SyntaxError extends Exception {
        final int line;

        SyntaxError(int line, String message) {
            super(message, null, false, false);
            this.line = line;
        }
    }

    /** The first document of {@code text}, or null when it holds none (empty, or only comments). */
    static Node read(String text, Consumer<Complaint> complaints) throws SyntaxError {
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            Node root = value(parser, "", complaints);
            JsonToken more = parser.nextToken();
            if (more != null) {
                complaints.accept(new Complaint(line(parser), "",
                        "a second YAML document (after ---); a rule-pack file holds one pack, remove the ---"));
            }
            return root;
        } catch (JsonProcessingException e) {
            throw syntaxError(e, text);
        } catch (IOException e) {
            throw new IllegalStateException("reading YAML from a string", e);
        }
    }

    private static Node value(JsonParser parser, String path, Consumer<Complaint> complaints) throws IOException {
        int line = line(parser);
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            complaints.accept(new Complaint(line, path,
                    "*" + parser.getText() + " refers to an anchor; YAML anchors and aliases are not supported here, write the value out"));
        }
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT: {
                Map<String, Entry> entries = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = line(parser);
                    parser.nextToken();
                    String childPath = RulePackFile.path(path, key);
                    Node child = value(parser, childPath, complaints);
                    Entry earlier = entries.get(key);
                    if (earlier != null) {
                        complaints.accept(new Complaint(keyLine, childPath,
                                "duplicate key (first at line " + earlier.keyLine() + "); keep only one"));
                    } else {
                        entries.put(key, new Entry(key, keyLine, child));
                    }
                }
                return new Mapping(Collections.unmodifiableMap(entries), line);
            }
            case START_ARRAY: {
                List<Node> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(value(parser, path, complaints));
                }
                return new Sequence(List.copyOf(items), line);
            }
            case VALUE_STRING:
                return new Scalar(ScalarKind.TEXT, parser.getText(), parser.getText(), line);
            case VALUE_NUMBER_INT: {
                Number n = parser.getNumberValue();
                Object value = n instanceof Integer i ? Long.valueOf(i) : n;
                return new Scalar(ScalarKind.INTEGER, parser.getText(), value, line);
            }
            case VALUE_NUMBER_FLOAT:
                return new Scalar(ScalarKind.DECIMAL, parser.getText(), decimal(parser.getText()), line);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new Scalar(ScalarKind.BOOLEAN, parser.getText(), token == JsonToken.VALUE_TRUE, line);
            case VALUE_NULL:
                return new Scalar(ScalarKind.NULL, parser.getText(), null, line);
            default:
                // embedded binary (!!binary) and the like: keep the text, the reader will reject it as text
                return new Scalar(ScalarKind.TEXT, parser.getText(), parser.getText(), line);
        }
    }

    /** YAML decimals, including {@code .inf}, {@code -.inf} and {@code .nan} that Jackson leaves unparsed. */
    private static Double decimal(String text) {
        String t = text.replace("_", "");
        switch (t.toLowerCase(Locale.ROOT)) {
            case ".inf", "+.inf":
                return Double.POSITIVE_INFINITY;
            case "-.inf":
                return Double.NEGATIVE_INFINITY;
            case ".nan":
                return Double.NaN;
            default:
                try {
                    return Double.valueOf(t);
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
        }
    }

    private static int line(JsonParser parser) {
        return Math.max(1, parser.currentTokenLocation().getLineNr());
    }

    private static SyntaxError syntaxError(JsonProcessingException e, String text) {
        int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
        if (!(e.getCause() instanceof MarkedYAMLException marked)) {
            return new SyntaxError(line, "not valid YAML: " + e.getOriginalMessage());
        }
        String problem = marked.getProblem() == null ? "" : marked.getProblem();
        String context = marked.getContext() == null ? "" : marked.getContext();
        // an unclosed quote or bracket is reported where the file ends; where it opens is more use
        boolean atEnd = problem.contains("end of stream") || problem.contains("<stream end>");
        Mark mark = atEnd && marked.getContextMark() != null
                ? marked.getContextMark() : marked.getProblemMark();
        if (mark != null) {
            line = mark.getLine() + 1;
        }
        if (problem.contains("(TAB)")) {
            return new SyntaxError(line, "not valid YAML: a tab; YAML indents with spaces only, replace the tab with spaces");
        }
        if (problem.contains("that cannot start any token") && mark != null) {
            String rest = restOfLine(text, mark);
            return new SyntaxError(line, "not valid YAML: a value cannot start with " + rest.charAt(0)
                    + "; put it in quotes: \"" + rest + "\"");
        }
        if (context.contains("quoted scalar")) {
            return new SyntaxError(line, "not valid YAML: the quote that opens here is never closed; close it");
        }
        // an unclosed [ or { is noticed lines later, where something else starts
        if (marked.getContextMark() != null && (context.contains("flow sequence") || context.contains("flow mapping"))) {
            boolean list = context.contains("flow sequence");
            return new SyntaxError(marked.getContextMark().getLine() + 1, "not valid YAML: the " + (list ? "list" : "mapping")
                    + " that opens here with " + (list ? "[ is never closed; close it with ]" : "{ is never closed; close it with }"));
        }
        return new SyntaxError(line, "not valid YAML: " + problem.replaceAll("\\s+", " ").trim() + "; " + hint(problem));
    }

    /** The source from the mark to the end of its line, without a trailing comment. */
    private static String restOfLine(String text, Mark mark) {
        String[] lines = text.split("\\R", -1);
        String l = mark.getLine() < lines.length ? lines[mark.getLine()] : "";
        String rest = mark.getColumn() < l.length() ? l.substring(mark.getColumn()) : "";
        rest = rest.replaceAll("\\s+#.*$", "").trim();
        return rest.isEmpty() ? "?" : rest;
    }

    private static String hint(String problem) {
        if (problem.contains("mapping values are not allowed")) {
            return "a value containing ': ' needs quotes, otherwise check the indentation";
        }
        if (problem.contains("<block end>") || problem.contains("could not find expected ':'")) {
            return "line the keys of one mapping up at the same indentation, each followed by ': '";
        }
        return "check the indentation and quotes on this line";
    }
}
