package org.yrd.linkage.pattern;

import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The keyed state that flink-cep's {@code SharedBuffer} keeps its partial matches in: it asks a
 * {@link KeyedStateStore} for three map states and nothing else. {@link #of} hands it the
 * operator's own keyed map states (the committed run); {@link #overlay} hands it copy-on-write
 * views of them (a speculative run): reads fall through to the committed state, writes stay in
 * memory until {@link #reset}, so that a speculative run continues the committed automaton
 * exactly without copying it and without changing it.
 */
final class MapStateStore implements KeyedStateStore {

    private final Function<MapStateDescriptor<?, ?>, MapState<?, ?>> maps;
    private final List<Overlay<?, ?>> overlays = new ArrayList<>();
    private final boolean overlaid;

    private MapStateStore(Function<MapStateDescriptor<?, ?>, MapState<?, ?>> maps, boolean overlaid) {
        this.maps = maps;
        this.overlaid = overlaid;
    }

    /** The operator's keyed map states themselves. */
    static MapStateStore of(Function<MapStateDescriptor<?, ?>, MapState<?, ?>> keyedMaps) {
        return new MapStateStore(keyedMaps, false);
    }

    /** Copy-on-write views of the operator's keyed map states. */
    static MapStateStore overlay(Function<MapStateDescriptor<?, ?>, MapState<?, ?>> keyedMaps) {
        return new MapStateStore(keyedMaps, true);
    }

    /** Forgets every write of the views: the next run starts from the committed state again. */
    void reset() {
        overlays.forEach(Overlay::reset);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <UK, UV> MapState<UK, UV> getMapState(MapStateDescriptor<UK, UV> descriptor) {
        MapState<UK, UV> base = (MapState<UK, UV>) maps.apply(descriptor);
        if (!overlaid) {
            return base;
        }
        Overlay<UK, UV> o = new Overlay<>(base, descriptor.getValueSerializer());
        overlays.add(o);
        return o;
    }

    @Override
    public String getBackendTypeIdentifier() {
        return "map-state-store";
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("the shared buffer of a pattern keeps map states only");
    }

    @Override
    public <T> ValueState<T> getState(ValueStateDescriptor<T> d) {
        throw unsupported();
    }

    @Override
    public <T> ListState<T> getListState(ListStateDescriptor<T> d) {
        throw unsupported();
    }

    @Override
    public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> d) {
        throw unsupported();
    }

    @Override
    public <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(AggregatingStateDescriptor<IN, ACC, OUT> d) {
        throw unsupported();
    }

    @Override
    public <T> org.apache.flink.api.common.state.v2.ValueState<T> getValueState(
            org.apache.flink.api.common.state.v2.ValueStateDescriptor<T> d) {
        throw unsupported();
    }

    @Override
    public <T> org.apache.flink.api.common.state.v2.ListState<T> getListState(
            org.apache.flink.api.common.state.v2.ListStateDescriptor<T> d) {
        throw unsupported();
    }

    @Override
    public <UK, UV> org.apache.flink.api.common.state.v2.MapState<UK, UV> getMapState(
            org.apache.flink.api.common.state.v2.MapStateDescriptor<UK, UV> d) {
        throw unsupported();
    }

    @Override
    public <T> org.apache.flink.api.common.state.v2.ReducingState<T> getReducingState(
            org.apache.flink.api.common.state.v2.ReducingStateDescriptor<T> d) {
        throw unsupported();
    }

    @Override
    public <IN, ACC, OUT> org.apache.flink.api.common.state.v2.AggregatingState<IN, OUT> getAggregatingState(
            org.apache.flink.api.common.state.v2.AggregatingStateDescriptor<IN, ACC, OUT> d) {
        throw unsupported();
    }

    /**
     * A copy-on-write view of one keyed map state. Values read from below are copies (a heap
     * state backend would hand out its own objects, which the shared buffer changes in place).
     */
    private static final class Overlay<K, V> implements MapState<K, V> {

        private final MapState<K, V> base;
        private final TypeSerializer<V> values;
        private final Map<K, V> written = new HashMap<>();
        private final Set<K> removed = new HashSet<>();
        private boolean cleared;

        Overlay(MapState<K, V> base, TypeSerializer<V> values) {
            this.base = base;
            this.values = values;
        }

        void reset() {
            written.clear();
            removed.clear();
            cleared = false;
        }

        @Override
        public V get(K key) throws Exception {
            if (written.containsKey(key)) {
                return written.get(key);
            }
            if (cleared || removed.contains(key)) {
                return null;
            }
            V v = base.get(key);
            return v == null ? null : values.copy(v);
        }

        @Override
        public void put(K key, V value) {
            written.put(key, value);
            removed.remove(key);
        }

        @Override
        public void putAll(Map<K, V> map) {
            map.forEach(this::put);
        }

        @Override
        public void remove(K key) {
            written.remove(key);
            removed.add(key);
        }

        @Override
        public boolean contains(K key) throws Exception {
            return written.containsKey(key) || !cleared && !removed.contains(key) && base.contains(key);
        }

        /** The merged entries, as a snapshot whose iterator removes through this view. */
        @Override
        public Iterable<Map.Entry<K, V>> entries() throws Exception {
            List<Map.Entry<K, V>> all = new ArrayList<>(written.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue())).toList());
            if (!cleared) {
                for (Map.Entry<K, V> e : base.entries()) {
                    if (!written.containsKey(e.getKey()) && !removed.contains(e.getKey())) {
                        all.add(Map.entry(e.getKey(), values.copy(e.getValue())));
                    }
                }
            }
            return () -> new Iterator<>() {
                private final Iterator<Map.Entry<K, V>> it = all.iterator();
                private Map.Entry<K, V> last;

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Map.Entry<K, V> next() {
                    last = it.next();
                    return last;
                }

                @Override
                public void remove() {
                    Overlay.this.remove(last.getKey());
                }
            };
        }

        @Override
        public Iterable<K> keys() throws Exception {
            Iterable<Map.Entry<K, V>> entries = entries();
            return () -> {
                Iterator<Map.Entry<K, V>> it = entries.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public K next() {
                        return it.next().getKey();
                    }

                    @Override
                    public void remove() {
                        it.remove();
                    }
                };
            };
        }

        @Override
        public Iterable<V> values() throws Exception {
            List<V> all = new ArrayList<>();
            for (Map.Entry<K, V> e : entries()) {
                all.add(e.getValue());
            }
            return all;
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() throws Exception {
            return entries().iterator();
        }

        @Override
        public boolean isEmpty() throws Exception {
            return !iterator().hasNext();
        }

        @Override
        public void clear() {
            written.clear();
            removed.clear();
            cleared = true;
        }
    }
}
