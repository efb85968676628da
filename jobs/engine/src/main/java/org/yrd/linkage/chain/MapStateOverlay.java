package org.yrd.linkage.chain;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.util.HashMap;
import java.util.Map;

/**
 * A speculative view of one committed {@link MapState}, for a rule's throw-away continuation in
 * live mode: a read falls through to committed state once and is kept as a copy (the heap backend
 * hands out live objects), writes and removals stay here and are dropped with the view.
 */
public final class MapStateOverlay<K, V> {

    private final MapState<K, V> committed;
    private final TypeSerializer<V> serializer;
    /** What this view has read or written; a null value is an entry removed or absent. */
    private final Map<K, V> seen = new HashMap<>();

    public MapStateOverlay(MapState<K, V> committed, TypeSerializer<V> serializer) {
        this.committed = committed;
        this.serializer = serializer;
    }

    public V get(K key) throws Exception {
        if (!seen.containsKey(key)) {
            V v = committed.get(key);
            seen.put(key, v == null ? null : serializer.copy(v));
        }
        return seen.get(key);
    }

    public void put(K key, V value) {
        seen.put(key, value);
    }

    public void remove(K key) {
        seen.put(key, null);
    }
}
