package org.yrd.linkage.model;

/**
 * A record the engine could not use, with the reason (contracts/README.md, wire format).
 * {@code raw} holds at most 4096 characters of the input, with suspect identifiers masked;
 * {@code source} says where the record came from ({@code topic/partition/offset} live,
 * {@code file:line} in replay), so that it can be found and replayed.
 */
public record DeadLetter(StreamKind stream, Reason reason, String detail, String raw, long at, String source) {

    public static final int MAX_RAW_CHARS = 4096;

    public enum Reason {
        MALFORMED_JSON, SCHEMA, OUT_OF_REGION, UNKNOWN_CITY, LATE, FUTURE, FORBIDDEN
    }
}
