package org.yrd.linkage.console;

import org.yrd.linkage.live.Topics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The console's sign-in tokens: which token stands for which province or the centre. They come
 * from a file of lines {@code <310000|320000|330000|340000|YRD> <token> [operator name]}, or from
 * a directory laid out as a Kubernetes Secret mounted as a volume lays it out (one file per key,
 * named {@code 310000} ... {@code YRD}, each line {@code <token> [operator name]}); several tokens
 * may stand for one province (one per duty officer). Tokens stay on the server and in the
 * operators' hands: a page never holds one (a browser signs in once and then carries a session
 * cookie). Only digests are kept, and a lookup hashes what it is given, so how long it takes does
 * not depend on how much of a real token a guess shares.
 */
final class Tokens {

    /** Shorter tokens are refused: a token is the only thing between a browser and a province's alerts. */
    static final int MIN_LENGTH = 16;

    private final Map<String, Principal> byDigest;
    private final Map<String, String> generated;

    private Tokens(Map<String, Principal> byDigest, Map<String, String> generated) {
        this.byDigest = byDigest;
        this.generated = generated;
    }

    /** Who {@code token} stands for, if anyone. */
    Optional<Principal> lookup(String token) {
        return token == null || token.isEmpty() ? Optional.empty() : Optional.ofNullable(byDigest.get(digest(token)));
    }

    /** For tokens made by {@link #random()}: each principal's token in the order 310000 ... YRD, to hand out; empty otherwise. */
    Map<String, String> generated() {
        return generated;
    }

    /** One fresh random token for each province and the centre (the demo, or a console started without --tokens). */
    static Tokens random() {
        SecureRandom rng = new SecureRandom();
        Map<String, Principal> byDigest = new HashMap<>();
        Map<String, String> generated = new LinkedHashMap<>();
        for (String code : Topics.RECIPIENTS) {
            byte[] bytes = new byte[18];
            rng.nextBytes(bytes);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            byDigest.put(digest(token), new Principal(code, operatorOf(code)));
            generated.put(code, token);
        }
        return new Tokens(byDigest, Collections.unmodifiableMap(generated));
    }

    /**
     * Reads a token file or a mounted Secret directory.
     *
     * @throws IllegalArgumentException naming the file, the line and what is wrong
     */
    static Tokens load(Path path) throws IOException {
        Map<String, Principal> byDigest = new HashMap<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.list(path)) {
                // a mounted Secret also holds ..data and timestamped directories: only the keys count
                for (Path f : files.filter(f -> Principal.known(f.getFileName().toString()) && Files.isRegularFile(f)).sorted().toList()) {
                    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i).strip();
                        if (!line.isEmpty() && !line.startsWith("#")) {
                            add(byDigest, f, i + 1, f.getFileName().toString(), line);
                        }
                    }
                }
            }
        } else {
            List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+", 2);
                if (parts.length < 2) {
                    throw new IllegalArgumentException(path + ":" + (i + 1) + ": expected '<310000|320000|330000|340000|YRD> <token> [operator]'");
                }
                add(byDigest, path, i + 1, parts[0], parts[1]);
            }
        }
        if (byDigest.isEmpty()) {
            throw new IllegalArgumentException(path + ": no token (lines '<310000|320000|330000|340000|YRD> <token> [operator]'"
                    + ", or a directory with one file per province code or YRD)");
        }
        return new Tokens(byDigest, Map.of());
    }

    /** One token line: {@code <token> [operator name]} for {@code code}. */
    private static void add(Map<String, Principal> byDigest, Path file, int line, String code, String tokenAndOperator) {
        String where = file + ":" + line + ": ";
        if (!Principal.known(code)) {
            throw new IllegalArgumentException(where + "'" + code + "' is not one of " + String.join(", ", Topics.RECIPIENTS));
        }
        String[] parts = tokenAndOperator.strip().split("\\s+", 2);
        String token = parts[0];
        if (token.length() < MIN_LENGTH) {
            throw new IllegalArgumentException(where + "the token of " + code + " has " + token.length() + " characters; at least "
                    + MIN_LENGTH + " (e.g. head -c 18 /dev/urandom | base64)");
        }
        String operator = parts.length > 1 ? parts[1].strip() : operatorOf(code);
        if (operator.length() > 128) {
            throw new IllegalArgumentException(where + "the operator name has " + operator.length() + " characters; at most 128 (alert-ack.schema.json)");
        }
        Principal before = byDigest.put(digest(token), new Principal(code, operator));
        if (before != null) {
            throw new IllegalArgumentException(where + "this token is given twice (also to " + before.code() + "); every token must be unique");
        }
    }

    private static String operatorOf(String code) {
        return "console " + code;
    }

    private static String digest(String token) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
