package org.yrd.linkage.ident;

import org.yrd.linkage.model.IdentifierType;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The deployment's secret key for identifier digests, and the digest itself: HMAC-SHA-256 of
 * {@code TYPE:normalised form} (contracts/README.md, "Normalised identifiers"). An unkeyed hash of
 * an 11-digit phone number is undone by hashing every number of its prefix (10^4 to 10^8 tries); a
 * keyed one cannot be computed, so not enumerated, without the key.
 *
 * <p>A key is loaded where it is used (on the TaskManager, from {@link #load}), never shipped in a
 * job graph: this class is not serializable, and neither {@link #toString} nor any message shows
 * key material. It is safe to share between threads: each thread digests with its own {@link Mac},
 * cloned once from an initialised prototype.
 */
public final class IdentifierKey {

    /** 256 bits, SHA-256's own strength: a shorter key would be the easiest part to guess. */
    public static final int MIN_BYTES = 32;

    /** A key file longer than this is the wrong file (a key is a few dozen bytes). */
    static final int MAX_BYTES = 4096;

    /**
     * The published development key: it is in this source code, so anyone can compute digests under
     * it and recover phone numbers and accounts from them by enumeration. For replay, tests and the
     * demo only; never for production data.
     */
    public static final String PUBLISHED_DEVELOPMENT_KEY =
            "yrd-linkage published DEVELOPMENT identifier key: public, unsafe for production";

    private static final String HMAC = "HmacSHA256";

    private static final IdentifierKey DEVELOPMENT =
            new IdentifierKey(PUBLISHED_DEVELOPMENT_KEY.getBytes(StandardCharsets.US_ASCII), "the published development key");

    private final String source;
    private final Mac prototype;
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    private IdentifierKey(byte[] key, String source) {
        this.source = source;
        try {
            prototype = Mac.getInstance(HMAC);
            prototype.init(new SecretKeySpec(key, HMAC));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The published development key (replay, tests, the demo); see {@link #PUBLISHED_DEVELOPMENT_KEY}. */
    public static IdentifierKey development() {
        return DEVELOPMENT;
    }

    /**
     * The key in {@code file}: its bytes, less one trailing line break ({@code \n} or {@code \r\n}) so
     * that a key written as text by an editor or {@code echo} is the same key. At least
     * {@value #MIN_BYTES} bytes must remain; {@code head -c 32 /dev/urandom | base64 > key} makes a
     * good one (44 bytes of text, 256 random bits).
     *
     * @throws IllegalArgumentException with a one-line message naming the file, when it cannot be
     *         read, is shorter than {@value #MIN_BYTES} bytes, or holds the published development key
     */
    public static IdentifierKey load(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new IllegalArgumentException("identifier key file " + file + " holds " + size
                        + " bytes, more than a key's " + MAX_BYTES + " at most: is it the right file?");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("identifier key file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null || e.getMessage().equals(file.toString()) ? "" : ": " + e.getMessage())
                    + ")", e);
        }
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\n') {
            n -= n > 1 && bytes[n - 2] == '\r' ? 2 : 1;
        }
        int read = bytes.length;
        byte[] key = Arrays.copyOf(bytes, n);
        Arrays.fill(bytes, (byte) 0);
        if (n < MIN_BYTES) {
            Arrays.fill(key, (byte) 0);
            throw new IllegalArgumentException("identifier key file " + file + " holds " + n + " bytes"
                    + (n < read ? " besides its final line break" : "") + "; a key needs at least " + MIN_BYTES
                    + " (e.g. head -c 32 /dev/urandom | base64 > key)");
        }
        if (Arrays.equals(key, PUBLISHED_DEVELOPMENT_KEY.getBytes(StandardCharsets.US_ASCII))) {
            Arrays.fill(key, (byte) 0);
            throw new IllegalArgumentException("identifier key file " + file + " holds the published development key, which is no secret;"
                    + " ask for the development key explicitly (linkage.identifier.dev-key) or use a key of your own");
        }
        return new IdentifierKey(key, "file " + file);
    }

    /**
     * The first 32 hex digits (128 bits) of HMAC-SHA-256 of {@code TYPE:normalised}: what the engine
     * matches and partitions on. The type is part of the input, so a PHONE and a BANK_ACCOUNT with the
     * same digits differ. 128 bits is what matching needs: two different identifiers share a digest
     * with probability about n^2 / 2^129, under 10^-14 even for 10^12 identifiers, and truncation
     * to at least half the hash and 80 bits keeps HMAC's strength (RFC 2104, section 5). Without the
     * key no digest can be computed at all, so truncation gives an enumerator nothing.
     */
    public String digest(IdentifierType type, String normalised) {
        String input = type.name() + ':' + normalised;
        // a lone surrogate has no UTF-8 form (getBytes would make it '?'): such an input is digested by
        // its UTF-16 code units, whose first byte (0, the type being ASCII) no UTF-8 input starts with
        byte[] bytes = wellFormed(input) ? input.getBytes(StandardCharsets.UTF_8) : codeUnits(input);
        return HexFormat.of().formatHex(macs.get().doFinal(bytes), 0, 16);
    }

    /** Where the key came from; never the key. */
    @Override
    public String toString() {
        return "IdentifierKey(" + source + ")";
    }

    private Mac newMac() {
        synchronized (prototype) {
            try {
                return (Mac) prototype.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("the " + prototype.getProvider() + " HmacSHA256 cannot be cloned", e);
            }
        }
    }

    private static byte[] codeUnits(String s) {
        byte[] b = new byte[s.length() * 2];
        for (int i = 0; i < s.length(); i++) {
            b[2 * i] = (byte) (s.charAt(i) >> 8);
            b[2 * i + 1] = (byte) s.charAt(i);
        }
        return b;
    }

    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
