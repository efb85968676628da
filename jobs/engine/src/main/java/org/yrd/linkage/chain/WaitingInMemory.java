package org.yrd.linkage.chain;

import org.yrd.linkage.model.Event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events of one rule subtask that wait for the watermark, kept in memory by key and ts, for a
 * job that takes no checkpoints (replay): nothing of them needs to survive a failure there, since
 * such a job restarts from its input, and keeping them in RocksDB cost a write, a read, a delete
 * and two serialisations of the whole event each. At most {@code limit} are held; the caller keeps
 * the rest in state, so a case whose files drift far apart in time (replay paces them, see
 * {@code replay/ReadPacing}) costs disk, not heap.
 */
final class WaitingInMemory {

    /** One key's events of one ts. */
    private record At(String key, long ts) {}

    private final Map<At, List<Event>> waiting = new HashMap<>();
    private final int limit;
    private int size;
    private boolean overflowed;

    WaitingInMemory(int limit) {
        this.limit = limit;
    }

    /** Holds {@code e} for {@code key}; false when full, and then {@link #overflowed()} stays true. */
    boolean offer(String key, Event e) {
        if (size >= limit) {
            overflowed = true;
            return false;
        }
        waiting.computeIfAbsent(new At(key, e.ts()), k -> new ArrayList<>(1)).add(e);
        size++;
        return true;
    }

    /** Removes and returns {@code key}'s events of {@code ts}; null when there are none. */
    List<Event> take(String key, long ts) {
        List<Event> due = waiting.remove(new At(key, ts));
        if (due != null) {
            size -= due.size();
        }
        return due;
    }

    /** Whether an event was ever refused, so that some may wait in state. */
    boolean overflowed() {
        return overflowed;
    }

    int size() {
        return size;
    }

    void clear() {
        waiting.clear();
        size = 0;
    }
}
