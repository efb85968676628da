package org.yrd.linkage.incident;

import java.util.List;

/**
 * The open groups of one key (a sensor kind or call category) as a fold sees them: committed
 * (Flink map states) or speculative (an overlay on them). Groups are listed by grid cell, so an
 * event reads only the cells within the radius of it, and only the groups it joins.
 */
interface GroupStore {
    /** The anchors of the open groups in a grid cell, oldest first; empty for none. The caller may change the list only to put it back. */
    List<Anchor> cell(long cell) throws Exception;

    void putCell(long cell, List<Anchor> anchors) throws Exception;

    /** Every non-empty cell (a fallback for a search area the grid cannot bound, near a pole or across 180°). */
    Iterable<Long> cells() throws Exception;

    /** The open group of an alert id; null when there is none. */
    Group group(String alertId) throws Exception;

    /** Keeps a group that was opened or changed (committed: written when the fold is done). */
    void putGroup(String alertId, Group group) throws Exception;

    void removeGroup(String alertId) throws Exception;

    /** Asks for the group to be closed when the watermark reaches {@code ts}. */
    void closeAt(long ts, String alertId) throws Exception;
}
