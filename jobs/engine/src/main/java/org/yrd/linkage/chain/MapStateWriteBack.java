package org.yrd.linkage.chain;

import org.apache.flink.api.common.state.MapState;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes to one committed {@link MapState} held back until a rule's fold is done, since the fold
 * may still change a value after putting it; reads see the held writes first. {@link #flush}
 * writes them through in the order they were made. The committed counterpart of
 * {@link MapStateOverlay}.
 */
public final class MapStateWriteBack<K, V> {

    private final MapState<K, V> committed;
    /** Written or removed in this fold; a null value is an entry removed. */
    private final Map<K, V> held = new LinkedHashMap<>();

    public MapStateWriteBack(MapState<K, V> committed) {
        this.committed = committed;
    }

    /** Whether this fold has written or removed {@code key}. */
    public boolean holds(K key) {
        return held.containsKey(key);
    }

    /** The value this fold wrote, or else the committed one; null when removed or absent. */
    public V get(K key) throws Exception {
        return held.containsKey(key) ? held.get(key) : committed.get(key);
    }

    public void put(K key, V value) {
        held.put(key, value);
    }

    public void remove(K key) {
        held.put(key, null);
    }

    /** Writes the held writes and removals through to committed state. */
    public void flush() throws Exception {
        for (Map.Entry<K, V> e : held.entrySet()) {
            if (e.getValue() == null) {
                committed.remove(e.getKey());
            } else {
                committed.put(e.getKey(), e.getValue());
            }
        }
        held.clear();
    }
}
