package org.yrd.linkage.cyber;

import org.yrd.linkage.chain.Chain;

/** The linker's state as the fold sees it: committed (Flink state) or speculative (an overlay on it). */
interface LinkStore {
    IdentEntry ident(String key) throws Exception;

    void putIdent(String key, IdentEntry entry) throws Exception;

    LinkCase linkCase(String id) throws Exception;

    void putCase(LinkCase c) throws Exception;

    void removeCase(String id) throws Exception;

    /** The case that absorbed case {@code id}, while identifiers may still name it; null for none. */
    String mergedInto(String id) throws Exception;

    void putMergedInto(String id, String into) throws Exception;

    /** Keeps the chain of an absorbed case, cancelled, so that its CANCEL can be reconciled. */
    void putAbsorbed(Chain chain) throws Exception;

    Chain absorbed(String alertId) throws Exception;

    /** Asks for {@code entry} to be looked at when the watermark reaches {@code ts}. */
    void expireAt(long ts, String entry) throws Exception;
}
