package org.yrd.linkage.runtime;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;

/**
 * The RocksDB settings every mode of the engine runs with (replay, live mode, the demo, the
 * benchmarks), each only where the configuration it is given sets nothing.
 *
 * <p>CYB-LINK looks up every identifier of every fraud report, and almost all of them are new: a
 * lookup that finds nothing. Bloom filters answer those without reading a data block. With
 * Flink's defaults (no filters) a linker over 10 M identifiers read its 1.3 GiB store block by
 * block through the page cache and fell from 3,000 to under 600 reports/s past ~7.5 M
 * identifiers. Bloom filters alone did not help at 256 MiB of managed memory, most likely because
 * each lookup needed the whole filter block of every level's file (about a megabyte each) in a
 * block cache whose index-and-filter share is 26 MiB, so they evicted each other. Partitioned
 * index and filters load only the 4 KiB partitions a lookup needs (BENCHMARKS.md, "Linker and
 * state").
 */
public final class RocksDbDefaults {

    private RocksDbDefaults() {}

    /** The settings, to be overridden by anything the caller's configuration sets. */
    public static Configuration get() {
        Configuration c = new Configuration();
        c.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        c.set(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS, true);
        return c;
    }
}
