package org.yrd.linkage.chain;

import org.yrd.linkage.model.Event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the keys of one rule subtask wait for, kept in memory, for a job that takes no checkpoints
 * (replay): the events that wait for the watermark, by key and ts, and the other times at which a
 * key's state must be expired. Nothing of it needs to survive a failure there, since such a job
 * restarts from its input; keeping the events in RocksDB cost a write, a read, a delete and two
 * serialisations of the whole event each.
 *
 * <p>It is each key's schedule: {@link SequencedRuleFunction} keeps one event-time timer per key,
 * at its earliest time, and when that fires it commits every time of the key the watermark has
 * passed, in ts order. The commits are those that one timer per waiting event and per wake-up
 * made before, in the same order per key; but Flink's timer queue holds a timer per key rather
 * than per event of the last hour, and polling it was a sixth of a replay's Java CPU.
 *
 * <p>At most {@code limit} events are held; the caller keeps the rest in state and
 * {@link #schedule}s their ts here, so a case whose files drift far apart in time (replay paces
 * them, see {@code replay/ReadPacing}) costs disk, not heap, for the events.
 */
final class WaitingInMemory {

    /** Returned by {@link #earliest} for a key with nothing scheduled. */
    static final long NONE = Long.MIN_VALUE;

    private final Map<String, TreeMap<Long, List<Event>>> byKey = new HashMap<>();
    private final int limit;
    private int size;
    private boolean overflowed;

    WaitingInMemory(int limit) {
        this.limit = limit;
    }

    /**
     * Holds {@code e} for {@code key} and schedules its ts; false when full (the event is not held,
     * its ts is not scheduled, and {@link #overflowed()} stays true from then on).
     */
    boolean offer(String key, Event e) {
        if (size >= limit) {
            overflowed = true;
            return false;
        }
        times(key).computeIfAbsent(e.ts(), t -> new ArrayList<>(1)).add(e);
        size++;
        return true;
    }

    /** Schedules {@code ts} for {@code key} without an event (a wake-up, or events kept in state). */
    void schedule(String key, long ts) {
        times(key).computeIfAbsent(ts, t -> new ArrayList<>(0));
    }

    private TreeMap<Long, List<Event>> times(String key) {
        return byKey.computeIfAbsent(key, k -> new TreeMap<>());
    }

    /** The earliest time scheduled for {@code key}, or {@link #NONE}. */
    long earliest(String key) {
        TreeMap<Long, List<Event>> times = byKey.get(key);
        return times == null ? NONE : times.firstKey();
    }

    /** Unschedules {@code key}'s {@code ts} and returns the events held for it (empty when none); null when it was not scheduled. */
    List<Event> take(String key, long ts) {
        TreeMap<Long, List<Event>> times = byKey.get(key);
        if (times == null) {
            return null;
        }
        List<Event> due = times.remove(ts);
        if (due != null) {
            size -= due.size();
        }
        if (times.isEmpty()) {
            byKey.remove(key);
        }
        return due;
    }

    /** Whether an event was ever refused, so that some may wait in state. */
    boolean overflowed() {
        return overflowed;
    }

    /** Events held. */
    int size() {
        return size;
    }

    /** Whether nothing is scheduled for any key. */
    boolean isEmpty() {
        return byKey.isEmpty();
    }

    /** Drops every event held; the times stay scheduled, so that each key's state is still expired at them. */
    void dropEvents() {
        for (TreeMap<Long, List<Event>> times : byKey.values()) {
            times.replaceAll((ts, events) -> new ArrayList<>(0));
        }
        size = 0;
    }
}
