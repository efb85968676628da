package org.yrd.linkage.model;

/**
 * A suspect-side identifier as the engine keeps it: never the raw or normalised value, only a
 * keyed digest of the normalised form (contracts/README.md) to match on, and the masked form to
 * show. Two identifiers match when type and digest are equal.
 *
 * @param digest the first 32 hex digits of HMAC-SHA-256 of {@code TYPE:normalised} under the
 *               deployment's key ({@link org.yrd.linkage.ident.IdentifierKey#digest})
 * @param masked the contracted masked form, e.g. {@code PHONE:139****5678}
 */
public record Identifier(IdentifierType type, String digest, String masked) {

    /** The key identifiers are matched and partitioned on. */
    public String key() {
        return type.name() + ':' + digest;
    }
}
